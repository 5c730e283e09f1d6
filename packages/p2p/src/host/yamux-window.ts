import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream';

/** What the window rule reads of a yamux stream (fields private to its type, public at run time). */
export interface StreamWindow {
  readonly state: StreamState;
  /** Bytes of a full receive window. */
  readonly recvWindow: number;
  /** Bytes the peer may still send before it must wait for a window update. */
  readonly recvWindowCapacity: number;
}

/**
 * Whether a stream that just read data should tell its peer about the room it freed now. yamux
 * 8.0.1 answers every data frame with a window update: at ~1 message a frame, that doubled the
 * frames on the wire at low load, each one more Noise message and socket write on the sender and
 * a read and decryption on the receiver. go-yamux and rust-yamux wait until half the window is
 * consumed; so does this. A frame that carries a flag (the stream's opening answer) and a paused
 * stream are left to yamux, as is the window's growth, which yamux decides when it sends an update.
 */
export function windowUpdateDue(stream: StreamWindow): boolean {
  const { state } = stream;
  if (state === StreamState.Init || state === StreamState.SYNReceived || state === StreamState.Paused)
    return true;
  const { recvWindow, recvWindowCapacity } = stream;
  // A yamux whose stream no longer has these fields gets its own rule back, not a stalled stream.
  if (typeof recvWindow !== 'number' || typeof recvWindowCapacity !== 'number') return true;
  return recvWindowCapacity * 2 <= recvWindow;
}

let installed = false;

/**
 * Makes every yamux stream of this process send its window updates once half of its receive
 * window is consumed (`windowUpdateDue`) rather than after every data frame. Idempotent. The peer
 * always has at least half a window of room, 128 KiB at the protocol's initial window.
 */
export function windowUpdatesAtHalf(): void {
  if (installed) return;
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate(this: StreamWindow): void };
  const sendWindowUpdate = proto.sendWindowUpdate;
  if (typeof sendWindowUpdate !== 'function') throw new Error('yamux streams have no sendWindowUpdate');
  installed = true;
  proto.sendWindowUpdate = function (this: StreamWindow): void {
    if (windowUpdateDue(this)) sendWindowUpdate.call(this);
  };
}
