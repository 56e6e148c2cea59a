use serde_json::json;

use crate::harness::TestNode;

#[tokio::test]
async fn health_metrics_and_node_info() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    node.post_as(&alice, "hello", json!({})).await;
    assert_eq!(node.get("/healthz", None).await.body["status"], "ok");
    let info = node.get("/node", None).await;
    assert_eq!(
        (info.body["members"].as_i64(), info.body["posts"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(info.body["needs_setup"], true);
    // /metrics is for the bearer of the metrics token only.
    let anonymous = reqwest::get(format!("{}/metrics", node.base))
        .await
        .expect("metrics");
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);
    let metrics = node.metrics().await;
    assert!(metrics.contains("kodeon_members 1"), "{metrics}");
    assert!(metrics.contains("kodeon_http_requests_total"), "{metrics}");
    assert!(
        metrics.contains("route=\"/api/kodeon/v1/posts\""),
        "{metrics}"
    );
    // Setup with a wrong token is refused and creates nothing.
    let r = node.post("/setup", None, json!({"token": "wrong", "username": "root", "email": "root@example.test", "password": "long enough pass"})).await;
    r.assert_error(401, None);
    assert_eq!(node.get("/node", None).await.body["members"], 1);
    node.get("/no/such/route", None)
        .await
        .assert_error(404, None);
}
