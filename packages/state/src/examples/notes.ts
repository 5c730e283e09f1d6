import { address, string, struct, uint } from '@joule/consensus';
import {
  defineEvent,
  defineMessage,
  defineQuery,
  jsonArray,
  jsonObject,
  jsonString,
  type Module,
  Table,
  TxError,
} from '../index.js';

/** A note per account, at most 140 characters; the account's owner may edit it, nobody else. */
interface Note {
  readonly text: string;
  readonly edits: number;
}
const noteCodec = struct<Note>('Note', { text: string(140), edits: uint() });
const notes = new Table('notes', 'n', (owner: Uint8Array) => owner, noteCodec);
const noteSet = defineEvent('notes.set', ['owner', 'length']);

export const setNote = defineMessage({
  type: 'notes/set',
  codec: struct<{ text: string }>('SetNote', { text: string(140) }),
  validate: (m) => (m.text.trim() === '' ? 'a note cannot be blank' : undefined),
  async handle(ctx, m, signer) {
    const old = await notes.get(ctx.state, signer.address);
    if (old !== undefined && old.edits >= 10)
      throw new TxError('NOTES_TOO_MANY_EDITS', 'a note can be edited 10 times');
    notes.set(ctx.state, signer.address, { text: m.text, edits: (old?.edits ?? -1) + 1 });
    ctx.emit(noteSet({ owner: signer.address, length: m.text.length }));
  },
});

export const getNote = defineQuery({
  path: 'note',
  request: struct<{ owner: Uint8Array }>('NoteRequest', { owner: address }),
  response: string(140),
  handle: async (ctx, r) => (await notes.get(ctx.state, r.owner))?.text ?? '',
});

export const notesModule: Module<{ notes: [string, string][] }> = {
  name: 'notes',
  messages: [setNote],
  queries: [getNote],
  routes: [{ method: 'GET', path: '/notes/:owner', target: 'note', description: 'The note of an account' }],
  genesis: {
    default: () => ({ notes: [] }),
    parse: (json) => ({
      notes: jsonArray(jsonObject(json, 'notes').notes ?? [], 'notes.notes', 1000).map((row, i) => {
        const [owner, text] = jsonArray(row, `notes.notes[${i}]`, 2);
        return [jsonString(owner, `notes.notes[${i}][0]`), jsonString(text, `notes.notes[${i}][1]`)];
      }),
    }),
    async init(ctx, g) {
      for (const [owner, text] of g.notes)
        notes.set(ctx.state, Buffer.from(owner, 'hex'), { text, edits: 0 });
    },
    async export(ctx) {
      const rows = await notes.all(ctx.state); // every row, page by page
      return { notes: rows.map(([owner, n]) => [Buffer.from(owner).toString('hex'), n.text]) };
    },
  },
};
