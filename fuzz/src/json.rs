//! A JSON generator driven by fuzz bytes: always an object at the top, keys mostly from the
//! providers' wire structs, values of every kind in every position (so each field sees
//! strings, numbers beyond i64 and f64, `null`, arrays, objects, lone surrogates…).

use arbitrary::Unstructured;
use signhook::Provider;

use crate::codec::Reader;

/// Every key the providers' wire structs read (src/providers/*.rs; regenerate the list when
/// a provider is added).
pub const KEYS: &[&str] = &[
    "actingUserEmail",
    "actingUserIpAddress",
    "action_id",
    "action_status",
    "action_type",
    "actions",
    "actionType",
    "actor",
    "agents",
    "agreement",
    "agreementCancellationInfo",
    "approver",
    "cancellation_reason",
    "carbonCopies",
    "certifiedDeliveries",
    "comment",
    "context",
    "created",
    "created_at",
    "createdAt",
    "createdDate",
    "data",
    "decline_information",
    "decline_reason",
    "declinedReason",
    "document_id",
    "document_ids",
    "document_name",
    "documentId",
    "documents",
    "documentsInfo",
    "editors",
    "electronic_seal",
    "email",
    "emailSubject",
    "envelopeDocuments",
    "envelopeId",
    "envelopeSummary",
    "environment",
    "event",
    "event_id",
    "event_name",
    "event_time",
    "event_type",
    "eventDate",
    "eventType",
    "filename",
    "first_name",
    "generatedDateTime",
    "hash",
    "id",
    "info",
    "inPersonSigners",
    "intermediaries",
    "ip",
    "ip_address",
    "ipAddress",
    "last_name",
    "library_document",
    "libraryDocument",
    "megaSign",
    "megasign",
    "memberInfos",
    "messageTitle",
    "name",
    "notifications",
    "object",
    "operation_type",
    "packageId",
    "participant",
    "participantRole",
    "participantSets",
    "participantSetsInfo",
    "participantUserEmail",
    "participantUserId",
    "payload",
    "performed_at",
    "performed_by_email",
    "performed_by_name",
    "reason",
    "Recipient",
    "recipient_email",
    "recipient_name",
    "recipientId",
    "recipients",
    "rejectionReason",
    "request_id",
    "request_name",
    "request_status",
    "requests",
    "role",
    "roleName",
    "sandbox",
    "sender",
    "signature_request",
    "signer",
    "signerDetails",
    "signerEmail",
    "signerName",
    "signerRole",
    "signers",
    "signingStatus",
    "status",
    "submission",
    "submission_id",
    "template",
    "templateId",
    "test_mode",
    "time",
    "timestamp",
    "title",
    "type",
    "updated_at",
    "userName",
    "uuid",
    "voidedReason",
    "webhookNotificationId",
    "widget",
    "witnesses",
    // Signable, Xodo Sign, Box Sign, SignatureAPI: appended, not sorted in (a key is the
    // input's byte modulo the count, so the keys above keep theirs for the bytes below the
    // old count).
    "action",
    "action_date",
    "additional_info",
    "company_id",
    "created_by",
    "envelope_fingerprint",
    "envelope_id",
    "envelope_title",
    "event_hash",
    "login",
    "meta",
    "object_id",
    "object_type",
    "recipient_type",
    "related_app_id",
    "related_business_id",
    "related_document_hash",
    "related_user_id",
    "sign_request_id",
    "source",
    "trigger",
    "webhook",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "1.5",
    "1e400",
    "-1e400",
    "1e-400",
    "9.0e18",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "123456789012345678901234567890",
    "1700000000000",
    "1700000000",
    "1.7e12",
    "0.1e1",
    "253402300799999",
    "-62167219200000",
    "253402300800000",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    "true",
    "false",
    "null",
    "SIGNED",
    "APPROVED",
    "CANCELLED",
    "OUT_FOR_SIGNATURE",
    "inprogress",
    "completed",
    "done",
    "ongoing",
    "draft",
    "finalized",
    "signer",
    "approver",
    "2024-05-30T22:57:28Z",
    "2025-11-11T19:00:55.474Z",
    "2024-05-30T23:57:28+01:00",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:60.999-23:59",
    "2024-02-29 12:00:00z",
    "1700000000000",
    "1.7e12",
    "\\ud800",
    "\\udc00\\ud800",
    "\\u0000",
    "a\\\"b",
    "\\\\",
];

struct Gen<'a, 'b, 'c> {
    r: &'c mut Reader<'a, 'b>,
    out: Vec<u8>,
    budget: u32,
}

impl Gen<'_, '_, '_> {
    fn string(&mut self) {
        self.out.push(b'"');
        match self.r.tag(4) {
            0 => {
                let i = usize::from(self.r.u8()) % STRINGS.len();
                self.out.extend_from_slice(STRINGS[i].as_bytes());
            }
            1 => {
                // An event name the provider maps, or a near one.
                let p = Provider::ALL[usize::from(self.r.u8()) % Provider::ALL.len()];
                let names = p.event_types();
                let i = usize::from(self.r.u16()) % names.len().max(1);
                if let Some((name, _)) = names.get(i) {
                    self.out.extend_from_slice(name.as_bytes());
                }
            }
            _ => {
                let raw = self.r.short_string();
                let escaped = serde_json::to_string(&raw).unwrap_or_default();
                self.out
                    .extend_from_slice(escaped.trim_matches('"').as_bytes());
            }
        }
        self.out.push(b'"');
    }

    fn value(&mut self, depth: u32) {
        self.budget = self.budget.saturating_sub(1);
        let leaf = depth > 6 || self.budget == 0 || self.r.is_empty();
        match if leaf { self.r.tag(5) } else { self.r.tag(8) } {
            0 => self.out.extend_from_slice(b"null"),
            1 => self.out.extend_from_slice(if self.r.u8() & 1 == 1 {
                b"true"
            } else {
                b"false"
            }),
            2 => {
                if self.r.u8() & 1 == 1 {
                    let i = usize::from(self.r.u8()) % NUMBERS.len();
                    self.out.extend_from_slice(NUMBERS[i].as_bytes());
                } else {
                    self.out
                        .extend_from_slice(self.r.i64().to_string().as_bytes());
                }
            }
            3 | 4 => self.string(),
            5 => {
                self.out.push(b'[');
                for i in 0..self.r.count(5) {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.value(depth + 1);
                }
                self.out.push(b']');
            }
            _ => self.object(depth + 1),
        }
    }

    fn object(&mut self, depth: u32) {
        self.out.push(b'{');
        let n = self.r.count(9);
        for i in 0..n {
            if i > 0 {
                self.out.push(b',');
            }
            if self.r.u8() < 230 {
                let k = KEYS[usize::from(self.r.u8()) % KEYS.len()];
                self.out.push(b'"');
                self.out.extend_from_slice(k.as_bytes());
                self.out.push(b'"');
            } else {
                self.string();
            }
            self.out.push(b':');
            self.value(depth);
        }
        self.out.push(b'}');
    }
}

/// The JSON text `bytes` describe (always an object).
pub fn generate(bytes: &[u8]) -> Vec<u8> {
    let mut u = Unstructured::new(bytes);
    let mut r = Reader::new(&mut u);
    let mut g = Gen {
        r: &mut r,
        out: Vec::new(),
        budget: 256,
    };
    g.object(0);
    g.out
}
