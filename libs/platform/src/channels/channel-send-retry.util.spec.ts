import { ChannelUnavailableError } from '@switchboard/contracts';
import { retryWhileChannelUnavailable } from './channel-send-retry.util.js';

const policy = { attempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 };

describe('retryWhileChannelUnavailable', () => {
  it('tries again while the provider is unavailable, and answers what the first success returns', async () => {
    const retried: number[] = [];
    let calls = 0;
    const result = await retryWhileChannelUnavailable(
      policy,
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(new ChannelUnavailableError('429')) : Promise.resolve('sent');
      },
      { retrying: (_error, attempt) => retried.push(attempt), giveUp: () => new Error('unused') },
    );
    expect(result).toBe('sent');
    expect(retried).toEqual([1, 2]);
  });

  it('throws what giveUp makes of the last failure once every attempt failed', async () => {
    let calls = 0;
    const attempt = retryWhileChannelUnavailable(
      policy,
      () => {
        calls += 1;
        return Promise.reject(new ChannelUnavailableError(`down ${calls}`));
      },
      {
        retrying: () => undefined,
        giveUp: (error, attempts) =>
          Promise.resolve(new Error(`gave up after ${attempts}: ${error.message}`)),
      },
    );
    await expect(attempt).rejects.toThrow('gave up after 3: down 3');
    expect(calls).toBe(3);
  });

  it('throws any other failure at once, untried again', async () => {
    let calls = 0;
    const attempt = retryWhileChannelUnavailable(
      policy,
      () => {
        calls += 1;
        return Promise.reject(new TypeError('a bug'));
      },
      { retrying: () => undefined, giveUp: () => new Error('unused') },
    );
    await expect(attempt).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });
});
