//! Cheap requests that used to cost the node dearly: idle connections,
//! oversized WebSocket messages, streams that outlive their token, and
//! posts that render to megabytes.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::TestNode;

/// The node's address.
fn addr(node: &TestNode) -> SocketAddr {
    node.base
        .trim_start_matches("http://")
        .parse()
        .expect("address")
}

/// A connection to the node from `from` (another loopback address, as a
/// flood from elsewhere would be).
async fn connect_from(from: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("bind to a loopback address");
    socket.connect(to).await.expect("connect")
}

/// Whether the node closed (or answered and closed) `conn` within `wait`;
/// `false` when it is still open and silent.
async fn closed(conn: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(wait, conn.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // The shed answer (503); its close follows.
            Ok(Ok(_)) => continue,
        }
    }
}

/// A plain GET over a fresh connection from 127.0.0.1: the status, and
/// how long it took.
async fn get_status(node: &TestNode, path: &str) -> (u16, Duration) {
    let started = Instant::now();
    let status = reqwest::Client::new()
        .get(format!("{}{path}", node.base))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    (status, started.elapsed())
}

/// How many of `conns` the node still holds open.
async fn still_open(conns: &mut [TcpStream]) -> usize {
    let mut n = 0;
    for conn in conns {
        if !closed(conn, Duration::from_millis(20)).await {
            n += 1;
        }
    }
    n
}

#[tokio::test]
async fn idle_connections_give_way_and_healthz_still_answers() {
    let node = TestNode::start_with(|c| {
        c.server.max_connections = 50;
        c.server.max_connections_per_ip = 40;
        c.server.reserved_connections = 4;
        c.server.header_timeout_secs = 30;
    })
    .await;
    let to = addr(&node);
    // 300 idle connections from one address, then 300 from another, then
    // 10 from each of 30 more.
    let mut waves = Vec::new();
    for from in [[127, 0, 0, 2], [127, 0, 0, 3]] {
        let mut conns = Vec::new();
        for _ in 0..300 {
            conns.push(connect_from(from, to).await);
        }
        waves.push(conns);
    }
    // Let the node accept (and shed) what the kernel queued.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let first = still_open(&mut waves[0]).await;
    let second = still_open(&mut waves[1]).await;
    // The second address pushed out the first one's oldest idle
    // connections up to its own 40, and took 2 reserved slots; the first
    // keeps what is left of the 50 (the harness's own keep-alive
    // connection may hold one) and its 2 reserved ones. The rest were shed
    // (a 503 and closed) or pushed out.
    assert_eq!(second, 40 + 2);
    assert!((9 + 2..=10 + 2).contains(&first), "{first}");
    let mut many = Vec::new();
    for i in 0..30u8 {
        for _ in 0..10 {
            many.push(connect_from([127, 0, 1, i], to).await);
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let newest = still_open(&mut many).await;
    assert!((48..=50).contains(&newest), "{newest}");
    assert!(
        still_open(&mut waves[1]).await <= 2,
        "only the reserved ones"
    );

    // Real clients connect and ask at once: the health check and the API
    // answer, pushing out idle connections, from however many addresses
    // the flood comes.
    for _ in 0..5 {
        let (status, took) = get_status(&node, "/healthz").await;
        assert_eq!(status, 200, "healthz under load");
        assert!(took < Duration::from_secs(1), "healthz took {took:?}");
    }
    let (status, _) = get_status(&node, "/api/v1/instance").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn reserved_slots_serve_the_operator_when_every_slot_is_busy() {
    let node = TestNode::start_with(|c| {
        c.server.max_connections = 10;
        c.server.reserved_connections = 4;
        c.server.header_timeout_secs = 30;
    })
    .await;
    // Streams from another address take every ordinary slot (the harness
    // may hold one); the next finds only a reserved slot, which serves
    // nothing but the operator's routes.
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("client");
    let mut streams = Vec::new();
    let refused = loop {
        let r = client
            .get(format!("{}/api/v1/streaming/public", node.base))
            .send()
            .await
            .expect("stream");
        if r.status() != 200 || streams.len() > 10 {
            break r.status().as_u16();
        }
        streams.push(r);
    };
    assert_eq!(refused, 503);
    assert!((9..=10).contains(&streams.len()), "{}", streams.len());
    let (status, took) = get_status(&node, "/healthz").await;
    assert_eq!(status, 200, "healthz with every slot busy");
    assert!(took < Duration::from_secs(1), "healthz took {took:?}");
    let (status, _) = get_status(&node, "/api/v1/instance").await;
    assert_eq!(status, 503);
    drop(streams);
    // The slots free up as the node sees the streams close.
    let mut status = 0;
    for _ in 0..100 {
        status = get_status(&node, "/api/v1/instance").await.0;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200);
}

#[tokio::test]
async fn idle_and_slow_connections_are_closed_after_the_header_timeout() {
    let node = TestNode::start_with(|c| c.server.header_timeout_secs = 1).await;
    let to = addr(&node);
    let mut idle = connect_from([127, 0, 0, 1], to).await;
    // Slowloris: a request line and a header every half second, never done.
    let mut slow = connect_from([127, 0, 0, 1], to).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .expect("write");
    let dribble = tokio::spawn(async move {
        for i in 0..10 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            if slow
                .write_all(format!("x-{i}: y\r\n").as_bytes())
                .await
                .is_err()
            {
                return true;
            }
        }
        false
    });
    // A keep-alive connection that answered one request, then idles.
    let mut kept = connect_from([127, 0, 0, 1], to).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 256];
    let n = kept.read(&mut buf).await.expect("response");
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(
        !closed(&mut idle, Duration::from_millis(500)).await,
        "closed too early"
    );
    assert!(closed(&mut idle, Duration::from_secs(2)).await, "idle");
    assert!(
        closed(&mut kept, Duration::from_secs(2)).await,
        "keep-alive"
    );
    assert!(
        dribble.await.expect("join"),
        "the slow client was never cut"
    );
}

#[tokio::test]
async fn an_oversized_websocket_message_closes_the_socket() {
    let node = TestNode::start().await;
    let url = format!(
        "{}/api/v1/streaming?stream=public",
        node.base.replace("http", "ws")
    );
    // A small message is fine: the socket stays open.
    let (mut small, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    small
        .send(Message::text(
            json!({"type": "subscribe", "stream": "hashtag", "tag": "rust"}).to_string(),
        ))
        .await
        .expect("send");
    // A fragmented 96 KiB message (tungstenite's default limit is 64 MiB).
    let (mut big, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    let chunk = "x".repeat(8 * 1024);
    for i in 0..12 {
        let opcode = if i == 0 { Data::Text } else { Data::Continue };
        let frame = Frame::message(chunk.clone(), OpCode::Data(opcode), false);
        if big.send(Message::Frame(frame)).await.is_err() {
            break;
        }
    }
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match big.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the socket took a 96 KiB message");
    // The other socket still works: it gets the post it subscribed to.
    let alice = node.register("alice").await;
    let id = node.post_as(&alice, "about #rust", json!({})).await;
    let got = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(msg)) = small.next().await {
            if let Message::Text(text) = msg {
                if text.contains(&id) {
                    return true;
                }
            }
        }
        false
    })
    .await;
    assert_eq!(got, Ok(true));
}

#[tokio::test]
async fn a_websocket_closes_when_its_token_is_revoked() {
    let node = TestNode::start().await;
    let bob = node.register("bob").await;
    let url = format!(
        "{}/api/v1/streaming?stream=user&access_token={}",
        node.base.replace("http", "ws"),
        bob.token
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("connect");
    // An anonymous socket may not subscribe to a member's stream.
    let (mut anonymous, _) = tokio_tungstenite::connect_async(format!(
        "{}/api/v1/streaming",
        node.base.replace("http", "ws")
    ))
    .await
    .expect("connect");
    anonymous
        .send(Message::text(
            json!({"type": "subscribe", "stream": "user"}).to_string(),
        ))
        .await
        .expect("send");
    let refused = tokio::time::timeout(Duration::from_secs(5), anonymous.next()).await;
    let Ok(Some(Ok(Message::Text(text)))) = refused else {
        panic!("no answer to the refused subscription: {refused:?}");
    };
    let answer: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(answer["status"], 401, "{answer}");

    let r = node.post("/auth/logout", Some(&bob.token), json!({})).await;
    assert_eq!(r.status.as_u16(), 204);
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code),
                None | Some(Err(_)) => return None,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(
        closed,
        Ok(Some(CloseCode::Policy)),
        "the socket outlived its token"
    );
}

#[tokio::test]
async fn a_post_that_would_render_to_megabytes_is_refused() {
    let node = TestNode::start().await;
    let alice = node.register("alice").await;
    let mut table = format!("|{}\n|{}\n", "a|".repeat(1000), "-|".repeat(1000));
    while table.len() + 3 <= 10_000 {
        table.push_str("|x\n");
    }
    let r = node
        .post("/posts", Some(&alice.token), json!({"content": table}))
        .await;
    r.assert_error(422, Some("content"));
    assert!(
        r.body["error"]
            .as_str()
            .is_some_and(|e| e.contains("at most 32 columns")),
        "{}",
        r.body
    );
    let r = node
        .post(
            "/api/v1/statuses",
            Some(&alice.token),
            json!({"status": table}),
        )
        .await;
    r.assert_error(422, Some("content"));
}
