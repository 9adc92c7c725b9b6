//! Prints what a fuzz input decodes to, and the request it becomes.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example show_input -- <target> <file>

use arbitrary::Unstructured;
use signhook::Provider;
use signhook_fuzz::checks::{DiagnoseInput, DIAGNOSE_BODY_CAP};
use signhook_fuzz::codec::Reader;
use signhook_fuzz::focused::{
    BoldSignHeaderInput, DocuSealHeaderInput, Rfc3339Input, TagInput, YousignHeaderInput,
    ZignedHeaderInput,
};
use signhook_fuzz::input::{Delivery, Materialized};
use signhook_fuzz::jsondoc::{JsonInput, JSON_BODY_CAP};
use signhook_fuzz::pandadoc::PandaInput;
use signhook_fuzz::DELIVERY_BODY_CAP;

fn show(m: &Materialized) {
    println!("now: {}", m.now);
    for h in &m.headers {
        println!("header {:?}: {:?}", h.name, h.value);
    }
    let shown = if m.body.len() > 600 {
        format!(
            "{:?}… ({} bytes)",
            String::from_utf8_lossy(&m.body[..600]),
            m.body.len()
        )
    } else {
        format!("{:?}", String::from_utf8_lossy(&m.body))
    };
    println!("body: {shown}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (target, file) = (&args[1], &args[2]);
    let bytes = std::fs::read(file).expect("read input");
    let mut u = Unstructured::new(&bytes);
    let mut r = Reader::new(&mut u);
    let provider = |name: &str| -> Option<Provider> {
        Provider::ALL
            .into_iter()
            .filter(|p| p.proof_at() != signhook::ProofAt::Query)
            .find(|p| name == format!("verify_{}", p.as_str().replace('-', "_")))
    };
    if let Some(p) = provider(target) {
        let d = Delivery::decode(&mut r);
        println!("{d:#?}");
        show(&d.materialize(p, DELIVERY_BODY_CAP));
        return;
    }
    match target.as_str() {
        "diagnose" => {
            let d = DiagnoseInput::decode(&mut r);
            println!("{d:#?}");
            let given = d
                .provider
                .checked_sub(1)
                .map(|i| Provider::ALL[usize::from(i)]);
            println!("provider: {given:?}");
            show(
                &d.delivery
                    .materialize(given.unwrap_or(Provider::ZohoSign), DIAGNOSE_BODY_CAP),
            );
        }
        "zigned_header" => println!("{:#?}", ZignedHeaderInput::decode(&mut r)),
        "yousign_header" => println!("{:#?}", YousignHeaderInput::decode(&mut r)),
        "boldsign_header" => println!("{:#?}", BoldSignHeaderInput::decode(&mut r)),
        "docuseal_header" => println!("{:#?}", DocuSealHeaderInput::decode(&mut r)),
        "tag_decoding" => println!("{:#?}", TagInput::decode(&mut r)),
        "rfc3339" => println!("{:#?}", Rfc3339Input::decode(&mut r)),
        "json" => {
            let j = JsonInput::decode(&mut r);
            println!("{j:#?}");
            let body = j.doc.bytes(JSON_BODY_CAP);
            show(&Materialized {
                headers: Vec::new(),
                body,
                now: 0,
                rendered: None,
            });
        }
        "verify_pandadoc" => {
            let d = PandaInput::decode(&mut r);
            println!("{d:#?}");
            let (config, secrets) = d.config();
            let req = d.materialize(&secrets, &d.bounds(&config));
            let headers = d.headers(&req, req.event_id.as_deref());
            println!("query: {:?}", headers.query());
            show(&Materialized {
                headers: headers
                    .iter()
                    .map(|(n, v)| signhook_fuzz::input::Header {
                        name: n.to_owned(),
                        value: v.to_owned(),
                        promise: None,
                    })
                    .collect(),
                body: req.body,
                now: d.now.value(),
                rendered: None,
            });
        }
        other => panic!("unknown target {other}"),
    }
}
