// Sample deliveries for the "make a test delivery" panel: one list per provider, each
// event a body shaped like the provider's documented payloads (ids and people are made up).
// Generated from each provider's `SAMPLES` in src/providers/. Imported at load time, so
// choosing one makes no network request.

// BEGIN GENERATED: samples (tests/docs.rs; UPDATE_README=1 cargo test --test docs)
export const SAMPLES = {
  "zoho-sign": [
    {
      event: "RequestSigningSuccess",
      body: {
        "requests": {
          "request_name": "NDA Document",
          "request_id": "1000000000000",
          "request_status": "inprogress",
          "org_id": "9876543210",
          "document_ids": [
            {
              "document_name": "CommonNDA.pdf",
              "document_id": "100000000000050"
            }
          ]
        },
        "notifications": {
          "performed_by_email": "signer@example.com",
          "performed_by_name": "Sam Signer",
          "performed_at": 1731340000000,
          "reason": "",
          "activity": "Document has been signed",
          "operation_type": "RequestSigningSuccess",
          "action_id": "1000000000090",
          "ip_address": "192.0.2.10"
        }
      },
    },
    {
      event: "RequestCompleted",
      body: {
        "requests": {
          "request_name": "NDA Document",
          "request_id": "1000000000000",
          "request_status": "completed",
          "document_ids": [
            {
              "document_name": "CommonNDA.pdf",
              "document_id": "100000000000050"
            }
          ]
        },
        "notifications": {
          "performed_by_email": "signer@example.com",
          "performed_at": 1731340100000,
          "operation_type": "RequestCompleted"
        }
      },
    },
    {
      event: "RequestRejected",
      body: {
        "requests": {
          "request_name": "NDA Document",
          "request_id": "1000000000000",
          "request_status": "declined"
        },
        "notifications": {
          "performed_by_email": "signer@example.com",
          "performed_at": 1731340200000,
          "operation_type": "RequestRejected",
          "reason": "Wrong company name"
        }
      },
    },
  ],
  "acrobat-sign": [
    {
      event: "AGREEMENT_WORKFLOW_COMPLETED",
      body: {
        "webhookId": "9b7fc222-0c74-478b-9bde-8ac70a2dd163",
        "webhookNotificationId": "d20d758a-f8b2-41b7-8c20-016312de7978",
        "event": "AGREEMENT_WORKFLOW_COMPLETED",
        "eventDate": "2024-11-11T15:46:40Z",
        "eventResourceType": "agreement",
        "participantUserEmail": "sender@example.com",
        "actingUserEmail": "signer@example.com",
        "agreement": {
          "id": "CBJCHBCAABAA2XhaLGV0pKssKU03QXTcTXS4ebPyoSL_",
          "name": "Master services agreement",
          "status": "SIGNED"
        }
      },
    },
    {
      event: "AGREEMENT_ACTION_COMPLETED",
      body: {
        "webhookNotificationId": "5c1f0b8e-2a7d-4c3e-9f10-6b2d8e4a7c11",
        "event": "AGREEMENT_ACTION_COMPLETED",
        "actionType": "ESIGNED",
        "eventDate": "2024-11-11T15:40:00Z",
        "participantUserEmail": "signer@example.com",
        "participantRole": "SIGNER",
        "agreement": {
          "id": "CBJCHBCAABAA2XhaLGV0pKssKU03QXTcTXS4ebPyoSL_",
          "name": "Master services agreement",
          "status": "OUT_FOR_SIGNATURE"
        }
      },
    },
    {
      event: "AGREEMENT_REJECTED",
      body: {
        "webhookNotificationId": "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
        "event": "AGREEMENT_REJECTED",
        "eventDate": "2024-11-11T15:50:00Z",
        "participantUserEmail": "signer@example.com",
        "agreement": {
          "id": "CBJCHBCAABAA2XhaLGV0pKssKU03QXTcTXS4ebPyoSL_",
          "name": "Master services agreement",
          "status": "CANCELLED"
        }
      },
    },
  ],
  zigned: [
    {
      event: "agreement.lifecycle.finalized",
      body: {
        "event": "agreement.lifecycle.finalized",
        "data": {
          "id": "cmhupv03i09q8liy4ht8y67i4",
          "title": "Lease agreement 2025-02-01",
          "test_mode": true,
          "status": "fulfilled",
          "documents": {
            "signed_document": {
              "data": {
                "id": "cmhuxsgh9037hjfvvm1gncn9i",
                "filename": "lease-signed-document.pdf",
                "created_at": "2025-11-11T19:00:50.157Z"
              }
            }
          },
          "updated_at": "2025-11-11T19:00:55.474Z"
        }
      },
    },
    {
      event: "participant.lifecycle.fulfilled",
      body: {
        "event": "participant.lifecycle.fulfilled",
        "data": {
          "id": "cmhupv1jl09qfliy49bzyqp0g",
          "name": "Sam Signer",
          "email": "signer@example.com",
          "status": "fulfilled",
          "agreement": "cmhupv03i09q8liy4ht8y67i4",
          "role": "signer",
          "signed_at": "2025-11-11T18:20:30.000Z"
        }
      },
    },
    {
      event: "agreement.lifecycle.pending",
      body: {
        "event": "agreement.lifecycle.pending",
        "data": {
          "id": "cmhupv03i09q8liy4ht8y67i4",
          "title": "Lease agreement 2025-02-01",
          "test_mode": true,
          "status": "pending",
          "participants": [
            "cmhupv1jl09qfliy49bzyqp0g"
          ],
          "created_at": "2025-11-11T15:18:51.966Z",
          "updated_at": "2025-11-11T15:18:54.277Z"
        }
      },
    },
  ],
  yousign: [
    {
      event: "signer.done",
      body: {
        "event_id": "b6c63685-c556-4a30-8fe9-b6f2b187d936",
        "event_name": "signer.done",
        "event_time": "1731340000",
        "subscription_id": "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        "subscription_description": "Signed leases",
        "sandbox": true,
        "data": {
          "signature_request": {
            "id": "9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "name": "Lease",
            "status": "ongoing"
          },
          "signer": {
            "id": "6f2b1c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
            "status": "signed",
            "info": {
              "first_name": "Sam",
              "last_name": "Signer",
              "email": "signer@example.com"
            }
          }
        }
      },
    },
    {
      event: "signature_request.done",
      body: {
        "event_id": "c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
        "event_name": "signature_request.done",
        "event_time": "1731340100",
        "sandbox": true,
        "data": {
          "signature_request": {
            "id": "9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "name": "Lease",
            "status": "done",
            "documents": [
              {
                "id": "d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a",
                "nature": "signable_document",
                "filename": "lease.pdf"
              }
            ]
          }
        }
      },
    },
    {
      event: "signer.declined",
      body: {
        "event_id": "0c5e7c43-3ba6-4b7e-9a44-3f3a2c1a9b10",
        "event_name": "signer.declined",
        "event_time": "1731340200",
        "sandbox": true,
        "data": {
          "signature_request": {
            "id": "9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "name": "Lease",
            "status": "declined",
            "decline_information": {
              "reason": "Wrong rent",
              "declined_at": "2024-11-11T15:50:00+00:00"
            }
          },
          "signer": {
            "id": "6f2b1c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
            "status": "declined",
            "info": {
              "first_name": "Sam",
              "last_name": "Signer",
              "email": "signer@example.com"
            }
          }
        }
      },
    },
  ],
  docusign: [
    {
      event: "recipient-completed",
      body: {
        "event": "recipient-completed",
        "apiVersion": "v2.1",
        "uri": "/restapi/v2.1/accounts/8f2d6a10-0000-4000-8000-000000000001/envelopes/4b7e1c2d-0000-4000-8000-00000000e001",
        "retryCount": 0,
        "configurationId": 10476521,
        "generatedDateTime": "2024-11-11T15:46:40.1234567Z",
        "data": {
          "accountId": "8f2d6a10-0000-4000-8000-000000000001",
          "userId": "24b7d0ca-0000-4000-8000-000000000002",
          "envelopeId": "4b7e1c2d-0000-4000-8000-00000000e001",
          "recipientId": "1",
          "envelopeSummary": {
            "status": "sent",
            "emailSubject": "Please sign: Lease",
            "recipients": {
              "signers": [
                {
                  "recipientId": "1",
                  "name": "Sam Signer",
                  "email": "signer@example.com",
                  "status": "completed"
                }
              ]
            },
            "envelopeDocuments": [
              {
                "documentId": "1",
                "name": "lease.pdf"
              }
            ]
          }
        }
      },
    },
    {
      event: "envelope-completed",
      body: {
        "event": "envelope-completed",
        "apiVersion": "v2.1",
        "uri": "/restapi/v2.1/accounts/8f2d6a10-0000-4000-8000-000000000001/envelopes/4b7e1c2d-0000-4000-8000-00000000e001",
        "retryCount": 0,
        "configurationId": 10476521,
        "generatedDateTime": "2024-11-11T15:48:20.7654321Z",
        "data": {
          "accountId": "8f2d6a10-0000-4000-8000-000000000001",
          "userId": "24b7d0ca-0000-4000-8000-000000000002",
          "envelopeId": "4b7e1c2d-0000-4000-8000-00000000e001"
        }
      },
    },
  ],
  docuseal: [
    {
      event: "form.completed",
      body: {
        "event_type": "form.completed",
        "timestamp": "2024-11-11T15:46:40Z",
        "data": {
          "id": 1042,
          "submission_id": 771,
          "email": "signer@example.com",
          "ip": "192.0.2.10",
          "name": "Sam Signer",
          "role": "First Party",
          "status": "completed",
          "completed_at": "2024-11-11T15:46:39.000Z",
          "submission": {
            "id": 771,
            "status": "pending",
            "url": "https://docuseal.com/e/abc"
          },
          "template": {
            "id": 55,
            "name": "Lease agreement"
          },
          "documents": [
            {
              "name": "lease",
              "url": "https://docuseal.com/file/lease.pdf"
            }
          ]
        }
      },
    },
    {
      event: "submission.completed",
      body: {
        "event_type": "submission.completed",
        "timestamp": "2024-11-11T15:48:20Z",
        "data": {
          "id": 771,
          "source": "invite",
          "status": "completed",
          "submitters": [
            {
              "id": 1042,
              "submission_id": 771,
              "email": "signer@example.com",
              "name": "Sam Signer",
              "status": "completed"
            }
          ],
          "template": {
            "id": 55,
            "name": "Lease agreement"
          },
          "documents": [
            {
              "name": "lease",
              "url": "https://docuseal.com/file/lease-signed.pdf"
            }
          ],
          "completed_at": "2024-11-11T15:48:19.000Z"
        }
      },
    },
  ],
  documenso: [
    {
      event: "DOCUMENT_SIGNED",
      body: {
        "event": "DOCUMENT_SIGNED",
        "payload": {
          "id": 123,
          "envelopeId": "envelope_k3m9p2q8r7s6t5u4",
          "title": "Lease agreement",
          "status": "PENDING",
          "recipients": [
            {
              "id": 11,
              "email": "signer@example.com",
              "name": "Sam Signer",
              "token": "sample-signing-token",
              "role": "SIGNER",
              "signingStatus": "SIGNED"
            }
          ]
        },
        "createdAt": "2024-11-11T15:46:40.000Z",
        "webhookEndpoint": "http://127.0.0.1:8787/hooks/documenso"
      },
    },
    {
      event: "DOCUMENT_COMPLETED",
      body: {
        "event": "DOCUMENT_COMPLETED",
        "payload": {
          "id": 123,
          "envelopeId": "envelope_k3m9p2q8r7s6t5u4",
          "title": "Lease agreement",
          "status": "COMPLETED",
          "completedAt": "2024-11-11T15:48:19.000Z",
          "recipients": [
            {
              "id": 11,
              "email": "signer@example.com",
              "name": "Sam Signer",
              "token": "sample-signing-token",
              "role": "SIGNER",
              "signingStatus": "SIGNED"
            }
          ]
        },
        "createdAt": "2024-11-11T15:48:20.000Z",
        "webhookEndpoint": "http://127.0.0.1:8787/hooks/documenso"
      },
    },
  ],
  "onespan-sign": [
    {
      event: "PACKAGE_ACTIVATE",
      body: {
        "@class": "com.silanis.esl.packages.event.ESLProcessEvent",
        "name": "PACKAGE_ACTIVATE",
        "sessionUser": "8QS1yr3q8DEZ",
        "packageId": "xT9OeZ-j2jIynQBaLeLdgp9CtZk=",
        "message": null,
        "documentId": null,
        "createdDate": "2024-11-11T15:46:40.255Z"
      },
    },
    {
      event: "PACKAGE_COMPLETE",
      body: {
        "@class": "com.silanis.esl.packages.event.ESLProcessEvent",
        "name": "PACKAGE_COMPLETE",
        "sessionUser": "8QS1yr3q8DEZ",
        "packageId": "xT9OeZ-j2jIynQBaLeLdgp9CtZk=",
        "message": null,
        "documentId": null,
        "createdDate": "2024-11-11T15:48:20.002Z"
      },
    },
  ],
  boldsign: [
    {
      event: "Signed",
      body: {
        "event": {
          "id": "b1e3a6f0-5d2c-4a8e-9b71-3c0f2d4e5a61",
          "created": 1731340000,
          "eventType": "Signed",
          "clientId": null,
          "environment": "Test"
        },
        "context": {
          "eventType": "Signed",
          "actor": {
            "userType": "Signer",
            "id": "30e062d0-7a1b-4c2d-8e3f-4a5b6c7d8e9f"
          },
          "previousState": null
        },
        "data": {
          "object": "document",
          "documentId": "26b8695f-46d0-4cd4-ba1a-c5a0d595c849",
          "messageTitle": "NDA Document",
          "status": "InProgress",
          "signerDetails": [
            {
              "signerName": "Sam Signer",
              "signerEmail": "signer@example.com",
              "id": "30e062d0-7a1b-4c2d-8e3f-4a5b6c7d8e9f",
              "status": "Completed",
              "order": 1
            }
          ]
        }
      },
    },
    {
      event: "Completed",
      body: {
        "event": {
          "id": "c2f4b7a1-6e3d-4b9f-8c82-4d1a3e5f6b72",
          "created": 1731340100,
          "eventType": "Completed",
          "clientId": null,
          "environment": "Test"
        },
        "context": {
          "eventType": "Completed",
          "actor": {
            "userType": "Signer",
            "id": "30e062d0-7a1b-4c2d-8e3f-4a5b6c7d8e9f"
          },
          "previousState": null
        },
        "data": {
          "object": "document",
          "documentId": "26b8695f-46d0-4cd4-ba1a-c5a0d595c849",
          "messageTitle": "NDA Document",
          "status": "Completed",
          "signerDetails": [
            {
              "signerName": "Sam Signer",
              "signerEmail": "signer@example.com",
              "id": "30e062d0-7a1b-4c2d-8e3f-4a5b6c7d8e9f",
              "status": "Completed",
              "order": 1
            }
          ]
        }
      },
    },
  ],
  signwell: [
    {
      event: "document_signed",
      body: {
        "event": {
          "type": "document_signed",
          "time": 1731340000
        },
        "data": {
          "object": {
            "id": "7f3c2b1a-0e9d-4c8b-a7f6-5e4d3c2b1a09",
            "name": "NDA Document",
            "status": "Pending",
            "test_mode": true
          }
        }
      },
    },
    {
      event: "document_completed",
      body: {
        "event": {
          "type": "document_completed",
          "time": 1731340100
        },
        "data": {
          "object": {
            "id": "7f3c2b1a-0e9d-4c8b-a7f6-5e4d3c2b1a09",
            "name": "NDA Document",
            "status": "Completed",
            "test_mode": true
          }
        }
      },
    },
  ],
  "dropbox-sign": [
    {
      event: "signature_request_signed",
      body: {
        "event": {
          "event_time": "1731340000",
          "event_type": "signature_request_signed",
          "event_metadata": {
            "related_signature_id": "5687fb7bd5f2a4d0c8f7b9b37d26a1c1",
            "reported_for_account_id": "a8d7c8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5",
            "reported_for_app_id": null,
            "event_message": null
          }
        },
        "signature_request": {
          "signature_request_id": "2f9781e1a8e2045224d808c153c2e1d3df6f8f2f",
          "title": "NDA Document",
          "test_mode": true,
          "is_complete": false,
          "is_declined": false,
          "signatures": [
            {
              "signature_id": "5687fb7bd5f2a4d0c8f7b9b37d26a1c1",
              "signer_email_address": "signer@example.com",
              "signer_name": "Sam Signer",
              "signer_role": null,
              "order": 0,
              "status_code": "signed"
            }
          ]
        }
      },
    },
    {
      event: "signature_request_all_signed",
      body: {
        "event": {
          "event_time": "1731340100",
          "event_type": "signature_request_all_signed",
          "event_metadata": {
            "related_signature_id": null,
            "reported_for_account_id": "a8d7c8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5",
            "reported_for_app_id": null,
            "event_message": null
          }
        },
        "signature_request": {
          "signature_request_id": "2f9781e1a8e2045224d808c153c2e1d3df6f8f2f",
          "title": "NDA Document",
          "test_mode": true,
          "is_complete": true,
          "is_declined": false,
          "signatures": []
        }
      },
    },
  ],
  pandadoc: [
    {
      event: "document_state_changed",
      body: [
        {
          "event": "document_state_changed",
          "data": {
            "id": "msFYActMfJHqNTKH8YSvF1",
            "name": "NDA Document",
            "status": "document.completed",
            "date_created": "2024-11-11T15:00:00.000Z",
            "date_modified": "2024-11-11T15:20:00.000Z",
            "recipients": []
          }
        }
      ],
    },
    {
      event: "recipient_completed",
      body: [
        {
          "event": "recipient_completed",
          "data": {
            "id": "msFYActMfJHqNTKH8YSvF1",
            "name": "NDA Document",
            "status": "document.sent",
            "date_modified": "2024-11-11T15:15:00.000Z",
            "action_by": {
              "id": "hS7wP5tYkLsQ9mZ3vB2nXc",
              "email": "signer@example.com",
              "first_name": "Sam",
              "last_name": "Signer"
            },
            "recipients": [
              {
                "id": "hS7wP5tYkLsQ9mZ3vB2nXc",
                "email": "signer@example.com",
                "first_name": "Sam",
                "last_name": "Signer",
                "recipient_type": "signer",
                "has_completed": true
              }
            ]
          }
        }
      ],
    },
  ],
  signable: [
    {
      event: "signed-envelope-complete",
      body: {
        "action": "signed-envelope-complete",
        "action_date": "2026-03-18T12:00:00+00:00",
        "company_id": "196735",
        "envelope_fingerprint": "e0b3a9cbd4a6ff2cb57cfca161a38309",
        "envelope_title": "Lease agreement"
      },
    },
    {
      event: "rejected-envelope",
      body: {
        "action": "rejected-envelope",
        "action_date": "2026-03-18T12:05:00+00:00",
        "company_id": "196735",
        "envelope_fingerprint": "e0b3a9cbd4a6ff2cb57cfca161a38309",
        "envelope_title": "Lease agreement"
      },
    },
  ],
  "xodo-sign": [
    {
      event: "document_signed",
      body: {
        "event_time": "1773835200",
        "event_type": "document_signed",
        "meta": {
          "related_document_hash": "uXIgmUwHpeFqjI",
          "related_user_id": "40211",
          "related_business_id": "267",
          "related_app_id": ""
        },
        "signer": {
          "id": "1",
          "name": "Ada Linden",
          "email": "ada@example.com",
          "role": "",
          "order": "1"
        }
      },
    },
    {
      event: "document_completed",
      body: {
        "event_time": "1773835260",
        "event_type": "document_completed",
        "meta": {
          "related_document_hash": "uXIgmUwHpeFqjI",
          "related_user_id": "40211",
          "related_business_id": "267",
          "related_app_id": ""
        }
      },
    },
  ],
  "box-sign": [
    {
      event: "SIGN_REQUEST.COMPLETED",
      body: {
        "type": "webhook_event",
        "id": "7d8e2f0a-3c4b-4f6e-9a1b-2c3d4e5f6a7b",
        "created_at": "2026-03-18T05:00:00-07:00",
        "trigger": "SIGN_REQUEST.COMPLETED",
        "webhook": {"id": "1234567890", "type": "webhook"},
        "created_by": {"type": "user", "id": "987654321", "name": "Sam Sender", "login": "sam@example.com"},
        "source": {"id": "1122334455", "type": "file", "name": "Lease agreement.pdf"},
        "additional_info": {"sign_request_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "signer_emails": ["ada@example.com"]}
      },
    },
    {
      event: "SIGN_REQUEST.SIGNER_SIGNED",
      body: {
        "type": "webhook_event",
        "id": "8e9f3a1b-4d5c-4a7f-8b2c-3d4e5f6a7b8c",
        "created_at": "2026-03-18T04:55:00-07:00",
        "trigger": "SIGN_REQUEST.SIGNER_SIGNED",
        "webhook": {"id": "1234567890", "type": "webhook"},
        "created_by": {"type": "user", "id": "987654321", "name": "Sam Sender", "login": "sam@example.com"},
        "source": {"id": "1122334455", "type": "file", "name": "Lease agreement.pdf"},
        "additional_info": {"sign_request_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "signer_emails": ["ada@example.com"]}
      },
    },
  ],
  signatureapi: [
    {
      event: "recipient.completed",
      body: {
        "id": "evt_4p2oouvNvjp1I9ckgqycH2",
        "type": "recipient.completed",
        "timestamp": "2025-12-31T15:00:01.999Z",
        "data": {
          "object_id": "re_7v7Sion0vqjJioYmwfZ9mf",
          "object_type": "recipient",
          "envelope_id": "e387553d-cbb7-4924-abd8-b2d89699e9b5",
          "envelope_metadata": {"deal_id": "50055"},
          "recipient_type": "signer",
          "recipient_key": "client"
        }
      },
    },
    {
      event: "envelope.completed",
      body: {
        "id": "evt_5q3ppvwOwkq2J0dlhrzdI3",
        "type": "envelope.completed",
        "timestamp": "2025-12-31T15:00:05.120Z",
        "data": {
          "object_id": "e387553d-cbb7-4924-abd8-b2d89699e9b5",
          "object_type": "envelope",
          "envelope_id": "e387553d-cbb7-4924-abd8-b2d89699e9b5",
          "envelope_metadata": {"deal_id": "50055"}
        }
      },
    },
  ],
};
// END GENERATED: samples
