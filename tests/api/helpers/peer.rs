//! A participant in a room: a socket plus its own Yjs document, as a browser tab has.

use std::net::IpAddr;

use serde_json::json;
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, Transact, Update};

use super::sio::{Arg, Packet, SioClient};
use super::TestApp;

/// A participant: a socket plus its own Yjs document, as a browser tab has.
pub struct Peer {
    pub sio: SioClient,
    pub doc: Doc,
}

impl Peer {
    pub async fn connect(app: &TestApp, token: &str) -> Peer {
        Self::connect_to(&app.address, token).await
    }

    pub async fn connect_to(address: &str, token: &str) -> Peer {
        Self::connect_from(address, token, None).await
    }

    /// Connects from a chosen local address (behind a proxy routing by address).
    pub async fn connect_from(address: &str, token: &str, local: Option<IpAddr>) -> Peer {
        let sio = SioClient::connect_from(address, json!({ "token": token }), local)
            .await
            .expect("socket connects");
        Peer {
            sio,
            doc: Doc::new(),
        }
    }

    /// Joins and applies the state the server sends; returns the acknowledgement.
    pub async fn join(&self, room: &str) -> Packet {
        let ack = self
            .sio
            .call_json("join_room", json!({ "roomId": room }))
            .await;
        assert_eq!(ack.data["ok"], true, "join refused: {}", ack.data);
        self.apply(&ack.binary("doc"));
        ack
    }

    pub fn apply(&self, update: &[u8]) {
        let u = Update::decode_v1(update).expect("the server sends valid updates");
        self.doc.transact_mut().apply_update(u).unwrap();
    }

    /// Types `text` at `index` locally and returns the update (not yet sent).
    pub fn type_local(&self, index: u32, text: &str) -> Vec<u8> {
        devinterview::realtime::room::insert_code_update(&self.doc, index, text)
    }

    /// Types and sends, returning the acknowledgement.
    pub async fn type_text(&self, index: u32, text: &str) -> Packet {
        let update = self.type_local(index, text);
        self.sio.call("doc_update", vec![Arg::Bin(update)]).await
    }

    /// Applies the next relayed update.
    pub async fn receive(&self) {
        let p = self.sio.next_event("doc_update").await;
        self.apply(&p.binary(""));
    }

    pub fn text(&self) -> String {
        let code = self.doc.get_or_insert_text("code");
        let txn = self.doc.transact();
        code.get_string(&txn)
    }

    /// This peer types `mine` at the start, `other` types `theirs` after it; each
    /// sees the other's edit, and both end with `mine` + `theirs`.
    pub async fn exchange(&self, other: &Peer, mine: &str, theirs: &str) {
        assert_eq!(self.type_text(0, mine).await.data["ok"], true);
        other.receive().await;
        let at = other.text().len() as u32;
        assert_eq!(other.type_text(at, theirs).await.data["ok"], true);
        self.receive().await;
        assert_eq!(self.text(), format!("{mine}{theirs}"));
        assert_eq!(other.text(), self.text());
    }
}
