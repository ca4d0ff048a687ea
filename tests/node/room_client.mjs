// Two browsers' worth of the real stack (socket.io-client + yjs) in one room:
// both type at the same position at once, one over WebSocket and one over
// long-polling; a third joins late. Prints one JSON line with what each saw.
//
// usage: node room_client.mjs <base-url> <interviewer-token> <candidate-token> <room-id>
import { io } from 'socket.io-client';
import * as Y from 'yjs';

const [base, interviewerToken, candidateToken, roomId] = process.argv.slice(2);
const fail = (message) => {
  console.log(JSON.stringify({ error: message }));
  process.exit(1);
};
setTimeout(() => fail('timed out'), 15000).unref();

function peer(token, transports) {
  const socket = io(base, { auth: { token }, transports, reconnection: false });
  const doc = new Y.Doc();
  const received = [];
  socket.on('doc_update', (update) => {
    received.push(update.byteLength);
    Y.applyUpdate(doc, new Uint8Array(update), 'server');
  });
  return { socket, doc, received };
}

const connected = (p) =>
  new Promise((resolve, reject) => {
    p.socket.on('connect', resolve);
    p.socket.on('connect_error', (e) => reject(new Error(e.message)));
  });

async function join(p) {
  const ack = await p.socket.timeout(5000).emitWithAck('join_room', { roomId });
  if (!ack.ok) fail(`join refused: ${JSON.stringify(ack.error)}`);
  Y.applyUpdate(p.doc, new Uint8Array(ack.doc), 'server');
  return ack;
}

function type(p, index, text) {
  let update;
  const capture = (u, origin) => {
    if (origin !== 'server') update = u;
  };
  p.doc.on('update', capture);
  p.doc.getText('code').insert(index, text);
  p.doc.off('update', capture);
  return p.socket.timeout(5000).emitWithAck('doc_update', update);
}

const waitFor = (pred) =>
  new Promise((resolve) => {
    const tick = () => (pred() ? resolve() : setTimeout(tick, 5));
    tick();
  });

try {
  // A refused token surfaces as connect_error with the server's message.
  const bad = io(base, { auth: { token: 'forged' }, transports: ['websocket'], reconnection: false });
  const refusal = await new Promise((resolve) => bad.on('connect_error', (e) => resolve(e.message)));
  bad.close();

  const a = peer(interviewerToken, ['websocket']);
  const b = peer(candidateToken, ['polling']);
  await Promise.all([connected(a), connected(b)]);
  await join(a);
  await join(b);
  const [ackA, ackB] = await Promise.all([type(a, 0, 'print("hi")\n'), type(b, 0, '# candidate\n')]);
  await waitFor(() => a.received.length >= 1 && b.received.length >= 1);

  const late = peer(candidateToken, ['websocket']);
  await connected(late);
  const lateAck = await join(late);

  console.log(
    JSON.stringify({
      refusal,
      acks: [ackA, ackB],
      a: a.doc.getText('code').toString(),
      b: b.doc.getText('code').toString(),
      late: late.doc.getText('code').toString(),
      echoes: { a: a.received.length, b: b.received.length },
      participants: lateAck.participants.length,
      transports: [a.socket.io.engine.transport.name, b.socket.io.engine.transport.name],
    }),
  );
  for (const p of [a, b, late]) p.socket.close();
} catch (e) {
  fail(String(e && e.message ? e.message : e));
}
