import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import {
  type AttachmentStore,
  AttachmentSizeMismatchError,
  InvalidAttachmentKeyError,
} from './attachment-store.js';

/**
 * What every `AttachmentStore` must do, run by each backend's integration test against the real
 * thing (a directory, an S3-compatible server).
 */
export function describeAttachmentStoreContract(name: string, store: () => AttachmentStore): void {
  describe(`${name}: the AttachmentStore contract`, () => {
    const read = async (key: string) => {
      const stored = await store().get(key);
      return stored === null ? null : { size: stored.size, text: await text(stored.body) };
    };

    it('keeps bytes and streams by key, and gives them back with their length', async () => {
      await store().put('web/ws-1/a', Buffer.from('hello bytes'), { size: 11, contentType: 'text/plain' });
      const chunks = ['streamed ', 'in ', 'three parts'];
      await store().put('web/ws-1/b', Readable.from(chunks.map((c) => Buffer.from(c))), { size: 23 });
      expect(await read('web/ws-1/a')).toEqual({ size: 11, text: 'hello bytes' });
      expect(await read('web/ws-1/b')).toEqual({ size: 23, text: 'streamed in three parts' });
    });

    it('streams a file larger than one chunk whole', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0);
      for (let i = 0; i < big.length; i += 4093) big[i] = i % 251;
      await store().put(
        'web/ws-1/big',
        Readable.from([big.subarray(0, 1_000_000), big.subarray(1_000_000)]),
        {
          size: big.length,
        },
      );
      const stored = await store().get('web/ws-1/big');
      const chunks: Buffer[] = [];
      for await (const chunk of stored!.body as AsyncIterable<Buffer>) chunks.push(chunk);
      expect(stored!.size).toBe(big.length);
      expect(Buffer.concat(chunks).equals(big)).toBe(true);
    });

    it('replaces what a key held, and reads an unknown key as null', async () => {
      await store().put('web/ws-1/c', Buffer.from('first'), { size: 5 });
      await store().put('web/ws-1/c', Buffer.from('second'), { size: 6 });
      expect(await read('web/ws-1/c')).toEqual({ size: 6, text: 'second' });
      expect(await store().get('web/ws-1/never')).toBeNull();
      expect(await store().get('web/ws-2/c')).toBeNull();
    });

    it('deletes, and deleting again is not an error', async () => {
      await store().put('web/ws-1/d', Buffer.from('bye'), { size: 3 });
      await store().delete('web/ws-1/d');
      expect(await store().get('web/ws-1/d')).toBeNull();
      await expect(store().delete('web/ws-1/d')).resolves.toBeUndefined();
    });

    it('keeps nothing of a stream whose length is not the one announced', async () => {
      await expect(
        store().put('web/ws-1/short', Readable.from([Buffer.from('abc')]), { size: 10 }),
      ).rejects.toThrow(AttachmentSizeMismatchError);
      await expect(
        store().put('web/ws-1/long', Readable.from([Buffer.from('abcdef')]), { size: 2 }),
      ).rejects.toThrow(AttachmentSizeMismatchError);
      expect(await store().get('web/ws-1/short')).toBeNull();
      expect(await store().get('web/ws-1/long')).toBeNull();
    });

    it('refuses keys that could leave the store or mean another object', async () => {
      for (const key of ['../etc/passwd', '/abs', 'web//x', 'web/../x', 'web/x/', '', 'web/.hidden', 'a b'])
        await expect(store().put(key, Buffer.from('x'), { size: 1 })).rejects.toThrow(
          InvalidAttachmentKeyError,
        );
      await expect(store().get('web/../../x')).rejects.toThrow(InvalidAttachmentKeyError);
    });
  });
}
