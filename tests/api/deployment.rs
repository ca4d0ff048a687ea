//! The deployment as shipped: two server nodes on one PostgreSQL and Redis behind
//! a real nginx running the repository's `deploy/nginx.conf`.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::peer::Peer;
use crate::helpers::process::ServerProcess;
use crate::helpers::{postgres_url, PgTestDb};

/// nginx running `deploy/nginx.conf` with only its ports, web root and scratch
/// paths changed; stopped when dropped.
struct Nginx {
    base: String,
    _child: tokio::process::Child,
    _scratch: tempfile::TempDir,
}

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn port_of(address: &str) -> &str {
    address.rsplit(':').next().unwrap()
}

impl Nginx {
    async fn start(binary: &Path, nodes: [&str; 2], web_root: &Path) -> Nginx {
        let root = env!("CARGO_MANIFEST_DIR");
        let shipped = std::fs::read_to_string(format!("{root}/deploy/nginx.conf")).unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().display().to_string();
        for sub in ["logs", "body", "proxy"] {
            std::fs::create_dir_all(scratch.path().join(sub)).unwrap();
        }
        let port = free_port();
        let edits = [
            ("listen 8080;", format!("listen 127.0.0.1:{port};")),
            (
                "server 127.0.0.1:8081 ",
                format!("server 127.0.0.1:{} ", port_of(nodes[0])),
            ),
            (
                "server 127.0.0.1:8082 ",
                format!("server 127.0.0.1:{} ", port_of(nodes[1])),
            ),
            (
                "root /srv/devinterview/web;",
                format!("root {};", web_root.display()),
            ),
            ("/run/devinterview-nginx.pid", format!("{dir}/nginx.pid")),
            ("/var/log/nginx/", format!("{dir}/logs/")),
            ("/var/lib/nginx/", format!("{dir}/")),
        ];
        let mut conf = shipped;
        for (from, to) in edits {
            assert!(
                conf.contains(from),
                "deploy/nginx.conf no longer has {from:?}"
            );
            conf = conf.replace(from, &to);
        }
        let path = scratch.path().join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        let child = tokio::process::Command::new(binary)
            .arg("-p")
            .arg(scratch.path())
            .arg("-e")
            .arg(scratch.path().join("logs/error.log"))
            .arg("-c")
            .arg(&path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("nginx starts");
        // nginx says nothing when it is ready; its port accepting is the sign.
        let ready = async {
            while tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_err()
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), ready)
            .await
            .expect("nginx listens within 10 s");
        Nginx {
            base: format!("http://127.0.0.1:{port}"),
            _child: child,
            _scratch: scratch,
        }
    }
}

/// `devinterview_socket_connections` as a node reports it.
async fn sockets_on(http: &reqwest::Client, node: &str) -> i64 {
    let text = http
        .get(format!("{node}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("devinterview_socket_connections "))
        .map(|v| v.trim().parse::<f64>().unwrap() as i64)
        .unwrap_or(0)
}

/// Which node (index) a just-connected client landed on: the one whose count rose.
async fn landed_on(http: &reqwest::Client, nodes: &[&str; 2], before: [i64; 2]) -> usize {
    // The gauge moves when the server has registered the socket; no event says so.
    for _ in 0..200 {
        for (i, node) in nodes.iter().enumerate() {
            if sockets_on(http, node).await > before[i] {
                return i;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the client shows up on neither node");
}

async fn post(http: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut req = http.post(url).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

#[tokio::test]
async fn two_nodes_behind_the_repositorys_nginx_share_rooms_and_survive_a_node_loss() {
    let Some(redis) = std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: TEST_REDIS_URL is not set (the nodes share rooms through Redis)");
        return;
    };
    if postgres_url().is_none() {
        eprintln!("skipped: TEST_DATABASE_URL is not set (the nodes share PostgreSQL)");
        return;
    }
    let Some(nginx) = nginx_binary() else {
        eprintln!("skipped: nginx is not installed (apt-get install nginx-light)");
        return;
    };
    let db = PgTestDb::create().await;
    let data = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let node = |i: usize| {
        vec![
            ("DATABASE_URL", db.url.clone()),
            ("REDIS_URL", redis.clone()),
            ("DATA_DIR", data[i].path().display().to_string()),
            ("TRUST_PROXY_HEADERS", "true".to_string()),
        ]
    };
    let first = ServerProcess::start(&node(0)).await;
    let second = ServerProcess::start(&node(1)).await;
    let nodes = [first.address.as_str(), second.address.as_str()];
    let root = env!("CARGO_MANIFEST_DIR");
    let built = PathBuf::from(format!("{root}/web/dist"));
    let placeholder = tempfile::tempdir().unwrap();
    std::fs::write(
        placeholder.path().join("index.html"),
        "<!doctype html><p>app",
    )
    .unwrap();
    let web_root = if built.join("index.html").exists() {
        built
    } else {
        placeholder.path().to_path_buf()
    };
    let proxy = Nginx::start(&nginx, nodes, &web_root).await;
    let http = reqwest::Client::new();
    let base = proxy.base.clone();

    // Through nginx: the app, the API, and no metrics.
    let page = http.get(format!("{base}/dashboard")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(page.text().await.unwrap().contains("<!doctype html>"));
    let metrics = http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 404, "/metrics is not public");
    let signed = post(
        &http,
        format!("{base}/api/auth/signup"),
        None,
        json!({"email": "ops@example.com", "password": "correct horse", "name": "Ada"}),
    )
    .await;
    let ada = signed["token"].as_str().unwrap().to_string();
    let session = post(
        &http,
        format!("{base}/api/sessions"),
        Some(&ada),
        json!({"candidateName": "Grace", "candidateEmail": "grace@example.com", "language": "python"}),
    )
    .await;
    let id = session["id"].as_str().unwrap().to_string();
    let invite = session["inviteToken"].as_str().unwrap();
    let joined = post(
        &http,
        format!("{base}/api/invites/{invite}/join"),
        None,
        json!({"name": "Grace"}),
    )
    .await;
    let grace = joined["token"].as_str().unwrap().to_string();

    // Two clients through nginx on different nodes: ip_hash routes by the client's
    // /24, so the candidate tries source addresses until it lands elsewhere.
    let a = Peer::connect_from(&base, &ada, Some(IpAddr::V4(Ipv4Addr::LOCALHOST))).await;
    let a_node = landed_on(&http, &nodes, [0, 0]).await;
    let mut b = None;
    for third in 1..=32u8 {
        let before = [
            sockets_on(&http, nodes[0]).await,
            sockets_on(&http, nodes[1]).await,
        ];
        let from = IpAddr::V4(Ipv4Addr::new(127, 0, third, 1));
        let peer = Peer::connect_from(&base, &grace, Some(from)).await;
        if landed_on(&http, &nodes, before).await != a_node {
            b = Some((peer, from));
            break;
        }
        peer.sio.close();
        peer.sio.closed().await;
    }
    let (b, b_from) = b.expect("some source address lands on the other node");
    a.join(&id).await;
    b.join(&id).await;

    a.exchange(&b, "print(1)\n", "print(2)\n").await;

    // The session's code is the same from either node and through nginx.
    for origin in [nodes[0], nodes[1], base.as_str()] {
        let got: Value = http
            .get(format!("{origin}/api/sessions/{id}"))
            .bearer_auth(&ada)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(got["code"], "print(1)\nprint(2)\n", "from {origin}");
    }

    // The candidate's node dies. Reconnecting from the same address, nginx finds
    // that node gone and routes to the survivor; every acknowledged edit is there.
    let end = b.text().len() as u32;
    let acked_last = b.type_text(end, "print(3)\n").await;
    assert_eq!(acked_last.data["ok"], true);
    a.receive().await;
    let (dead, survivor) = if a_node == 0 {
        (second, first)
    } else {
        (first, second)
    };
    dead.kill_9().await;
    b.sio.closed().await;
    let again = Peer::connect_from(&base, &grace, Some(b_from)).await;
    again.join(&id).await;
    assert_eq!(again.text(), "print(1)\nprint(2)\nprint(3)\n");
    let end = again.text().len() as u32;
    assert_eq!(again.type_text(end, "print(4)\n").await.data["ok"], true);
    a.receive().await;
    assert_eq!(a.text(), "print(1)\nprint(2)\nprint(3)\nprint(4)\n");
    assert!(sockets_on(&http, &survivor.address).await >= 2);
}
