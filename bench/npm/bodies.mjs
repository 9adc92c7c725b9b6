// The deliveries' bodies the npm benches sign: each provider's payload shape, grown with
// documents until its JSON reaches about `size` bytes (bench/npm/run.mjs, profile.mjs).

/** Pads a payload with realistic-looking documents/fields until its JSON reaches `size`. */
function grow(make, size) {
  let n = 0;
  let text = JSON.stringify(make(n));
  while (text.length < size) text = JSON.stringify(make(++n));
  return new TextEncoder().encode(text);
}

export function zohoBody(size) {
  return grow(
    (n) => ({
      requests: {
        request_id: "1000000000123",
        request_name: "Master services agreement",
        request_status: "inprogress",
        document_ids: Array.from({ length: n }, (_, i) => ({
          document_id: String(2000000000000 + i),
          document_name: `Appendix ${i} - terms and conditions.pdf`,
          document_size: 120000 + i,
          document_order: String(i),
          total_pages: 12,
        })),
        actions: [
          { action_id: "3000000000001", recipient_email: "signer@example.com", recipient_name: "Ada Signer", action_type: "SIGN", action_status: "SIGNED" },
        ],
      },
      notifications: {
        operation_type: "RequestSigningSuccess",
        performed_at: 1_699_999_000_000,
        performed_by_email: "signer@example.com",
        performed_by_name: "Ada Signer",
        action_id: "3000000000001",
        ip_address: "192.0.2.10",
        activity: "Document has been signed",
      },
    }),
    size,
  );
}

export function yousignBody(size) {
  return grow(
    (n) => ({
      event_id: "5f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
      event_name: "signer.done",
      event_time: "1699999000",
      subscription_id: "sub-1",
      subscription_description: "Signed leases",
      sandbox: false,
      data: {
        signature_request: {
          id: "9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d",
          name: "Lease 2024",
          status: "ongoing",
          documents: Array.from({ length: n }, (_, i) => ({
            id: `doc-${i}-0e4f-4a5b-8c6d-7e8f9a0b1c2d`,
            nature: "signable_document",
            filename: `Annex ${i} - inventory of fixtures.pdf`,
          })),
        },
        signer: {
          id: "6f2b1c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
          status: "signed",
          info: { first_name: "Ada", last_name: "Signer", email: "signer@example.com" },
        },
      },
    }),
    size,
  );
}

export function zignedBody(size) {
  return grow(
    (n) => ({
      version: "1.0",
      event: "agreement.lifecycle.finalized",
      data: {
        id: "cm0benchagreement000000000",
        title: "Master services agreement",
        status: "fulfilled",
        test_mode: false,
        created_at: "2023-11-14T22:00:00.000Z",
        updated_at: "2023-11-14T22:13:20.000Z",
        documents: {
          attachments: {
            data: Array.from({ length: n }, (_, i) => ({
              id: `cm0benchdocument${String(i).padStart(9, "0")}`,
              filename: `Appendix ${i} - terms and conditions.pdf`,
              pages: 12,
            })),
          },
        },
      },
    }),
    size,
  );
}

export function docusignBody(size) {
  return grow(
    (n) => ({
      event: "envelope-completed",
      apiVersion: "v2.1",
      uri: "/restapi/v2.1/accounts/0000/envelopes/4b7e1c2d-0000-4000-8000-00000000b001",
      retryCount: 0,
      configurationId: 10001,
      generatedDateTime: "2023-11-14T22:13:20.0000000Z",
      data: {
        accountId: "0000",
        userId: "1111",
        envelopeId: "4b7e1c2d-0000-4000-8000-00000000b001",
        envelopeSummary: {
          status: "completed",
          emailSubject: "Please sign: master services agreement",
          envelopeDocuments: Array.from({ length: n }, (_, i) => ({
            documentId: String(i + 1),
            name: `Appendix ${i} - terms and conditions.pdf`,
            type: "content",
            order: String(i + 1),
          })),
        },
      },
    }),
    size,
  );
}
