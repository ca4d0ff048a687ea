// Reference for the realtime load benchmark: Node's own socket.io server as a
// pure relay (no document, no storage), speaking the same events as DevInterview:
// join_room acks with an empty document, doc_update is relayed to the rest of
// the room and acknowledged. Prints {"port": n} once listening.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 1e6 });
io.on('connection', (socket) => {
  socket.on('join_room', (req, ack) => {
    socket.join(req.roomId);
    socket.data.room = req.roomId;
    if (typeof ack === 'function') {
      ack({ ok: true, doc: Buffer.from([0, 0]), stateVector: Buffer.from([0]), participants: [] });
    }
  });
  socket.on('doc_update', (update, ack) => {
    socket.to(socket.data.room).emit('doc_update', update);
    if (typeof ack === 'function') ack({ ok: true });
  });
});
http.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: http.address().port })));
