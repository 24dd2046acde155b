//! The API's edges, as the spec and the README state them: the bearer scheme in any case, 404
//! and 405 with the JSON error body, several devices and a filter on inventory `data`, and the
//! request limits the README documents being the daemon's own.

use netkeep_keeper::api::ApiLimits;
use netkeep_testkit::{call, HostSpec, Lab};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_scheme_is_case_insensitive() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let lab = Lab::new(vec![HostSpec::comware("sw1").with("warm: false")]).await;
    let tf = lab.dir.path().join("token");
    std::fs::write(&tf, "0123456789abcdef-secret-token\n").unwrap();
    let mut cfg = lab.config();
    cfg.listen = Some("127.0.0.1:0".parse().unwrap());
    cfg.token_file = Some(tf);
    let (daemon, _) = lab.start_with(cfg).await;
    let addr = daemon.tcp_addr().unwrap();
    for (scheme, want) in [
        ("bearer", "200"),
        ("BEARER", "200"),
        ("Bearer", "200"),
        ("Basic", "401"),
    ] {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "GET /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: {scheme} 0123456789abcdef-secret-token\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut ans = String::new();
        s.read_to_string(&mut ans).await.unwrap();
        assert!(
            ans.starts_with(&format!("HTTP/1.1 {want} ")),
            "{scheme}: {ans}"
        );
    }
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_and_methods_answer_the_json_error_body() {
    let (_lab, daemon, client) =
        Lab::started(vec![HostSpec::comware("sw1").with("warm: false")]).await;
    let (code, r) = call(&client, "GET", "/v1/nothing", None).await;
    assert_eq!(code, 404, "{r}");
    assert!(r["error"].as_str().unwrap().contains("/v1/nothing"), "{r}");
    let (code, r) = call(&client, "GET", "/v1/exec", None).await;
    assert_eq!(code, 405, "{r}");
    assert!(r["error"].as_str().unwrap().contains("GET"), "{r}");
    let (code, r) = call(&client, "DELETE", "/v1/sessions", None).await;
    assert_eq!(code, 405, "{r}");
    assert!(r["error"].is_string(), "{r}");
    daemon.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_devices_and_a_filter_on_inventory_data() {
    let (_lab, daemon, client) = Lab::started(vec![
        HostSpec::new("fra-1", "hp_comware").with("data: { site: fra1, vlan: 10 }"),
        HostSpec::new("fra-2", "cisco_ios").with("data: { site: fra1, vlan: 20 }"),
        HostSpec::new("ams-1", "huawei").with("data: { site: ams1, vlan: 10 }"),
    ])
    .await;
    let devices = |r: &serde_json::Value| -> Vec<String> {
        r["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["device"].as_str().unwrap().to_string())
            .collect()
    };
    let body = json!({ "devices": ["ams-1", "fra-2"], "commands": ["display clock"] });
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(devices(&r), ["ams-1", "fra-2"], "in the order given");
    // A filter alone: every device it matches (sorted); numbers compare as written.
    let body = json!({ "filter": { "site": "fra1" }, "commands": ["display clock"] });
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 200, "{r}");
    assert_eq!(devices(&r), ["fra-1", "fra-2"]);
    let body = json!({ "group": "lab", "filter": { "vlan": "10" }, "commands": ["display clock"] });
    let (_, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(devices(&r), ["ams-1", "fra-1"], "{r}");
    let body = json!({ "group": "lab", "filter": { "site": "nyc1" }, "commands": ["x"] });
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 404, "{r}");
    assert!(r["error"].as_str().unwrap().contains("site=nyc1"), "{r}");
    let body = json!({ "devices": ["fra-1", "nope"], "commands": ["x"] });
    let (code, r) = call(&client, "POST", "/v1/exec", Some(body)).await;
    assert_eq!(code, 404, "{r}");
    assert!(r["error"].as_str().unwrap().contains("`nope`"), "{r}");
    daemon.stop().await;
}

/// The README's daemon section states the request limits; they must be the daemon's defaults.
#[test]
fn readme_states_the_real_request_limits() {
    let readme = include_str!("../../../README.md");
    let start = readme.find("## The daemon").expect("daemon section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let l = ApiLimits::default();
    let want = [
        format!("headers within {} s", l.header_timeout.as_secs()),
        format!("body within {} s", l.body_timeout.as_secs()),
        format!("{} MiB", l.max_body >> 20),
        format!("{} KiB", l.max_header_bytes >> 10),
        format!("{} connections", l.max_connections),
    ];
    for w in want {
        assert!(
            section.contains(&w),
            "the README's daemon section should say `{w}`"
        );
    }
}
