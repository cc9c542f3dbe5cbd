import { contentHash, stableStringify } from '../../lib/common/hash';
import { parseImage, validatePinnedImage, versionFromImage } from '../../lib/common/images';
import { isDnsLabel, isHostname } from '../../lib/common/names';
import { parseQuantity, requireQuantity } from '../../lib/common/quantities';

describe('quantities', () => {
  test.each([
    ['250m', 0.25], ['1', 1], ['0.5', 0.5], ['1.5', 1.5], ['128Mi', 128 * 2 ** 20], ['1Gi', 2 ** 30], ['1G', 1e9], ['500k', 5e5],
  ])('parses %s', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value);
  });

  test.each(['', 'two', '128MB', '-1', '1 Gi', '1e3Mi'])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  test('requireQuantity rejects zero', () => {
    expect(() => requireQuantity('app/x', 'resources.limits.cpu', '0', 'cpu')).toThrow(
      '[app/x] resources.limits.cpu ("0") is not a valid cpu quantity: use a positive Kubernetes quantity such as \'250m\' or \'1\'',
    );
  });
});

describe('images', () => {
  test('splits registry ports from tags', () => {
    expect(parseImage('localhost:5000/orders:1.2.3')).toEqual({ repository: 'localhost:5000/orders', tag: '1.2.3', digest: undefined });
    expect(parseImage('localhost:5000/orders')).toEqual({ repository: 'localhost:5000/orders', tag: undefined, digest: undefined });
  });

  test('accepts a digest without a tag, and a tag with a digest', () => {
    const digest = 'sha256:' + 'b'.repeat(64);
    expect(validatePinnedImage('x', 'image', `orders@${digest}`).digest).toBe(digest);
    expect(validatePinnedImage('x', 'image', `orders:latest@${digest}`).tag).toBe('latest');
    expect(versionFromImage(`orders@${digest}`)).toBe('bbbbbbbbbbbb');
    expect(versionFromImage('orders:1.4.2')).toBe('1.4.2');
  });
});

describe('names', () => {
  test('DNS labels', () => {
    expect(isDnsLabel('orders-v2')).toBe(true);
    expect(isDnsLabel('-orders')).toBe(false);
    expect(isDnsLabel('a'.repeat(64))).toBe(false);
  });

  test('host names allow a wildcard only as the whole leftmost label', () => {
    expect(isHostname('shop.example.com', false)).toBe(true);
    expect(isHostname('*.example.com', true)).toBe(true);
    expect(isHostname('*.example.com', false)).toBe(false);
    expect(isHostname('api.*.example.com', true)).toBe(false);
    expect(isHostname('*', true)).toBe(false);
    expect(isHostname('Shop.example.com', false)).toBe(false);
  });
});

describe('hash', () => {
  test('is independent of key order', () => {
    expect(stableStringify({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(contentHash({ b: 1, a: 2 })).toBe(contentHash({ a: 2, b: 1 }));
    expect(contentHash({ a: 1 })).toMatch(/^[0-9a-f]{10}$/);
  });
});
