//! Outbound allow list: a connector URL outside `allowed_outbound_hosts` is refused by the host,
//! never reached, recorded as a failed delivery, and not retried.

use cavra_e2e::{P, Receiver, Runner, RunnerOptions};
use serde_json::json;

#[test]
fn a_destination_outside_the_allow_list_is_never_contacted() {
    let receiver = Receiver::start();
    let options = RunnerOptions {
        vars: vec![
            ("providers".into(), "webhook".into()),
            ("provider_webhook_url".into(), format!("{}/webhook", receiver.url)),
            // Allowed: another loopback port only. The receiver's origin is not on the list.
            ("extra_outbound_origin".into(), "http://127.0.0.1:9".into()),
        ],
        ..Default::default()
    };
    let runner = Runner::start(options);
    let acks = json!([{"schedule_id": "drill-1", "provider": "webhook"}]);
    let r = runner.post(P, &json!({"retries": 2, "schedule_id": "drill-1", "acknowledgements": acks}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["success"], json!(false), "{}", r.text);
    assert_eq!(receiver.count(), 0, "the receiver was never contacted");
    assert!(!r.text.contains(&receiver.url), "the destination is not echoed");
}
