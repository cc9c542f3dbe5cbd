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

describe('image references follow the distribution reference grammar', () => {
  const digest = 'sha256:' + 'a'.repeat(64);
  const error = (image: string): string => {
    try {
      validatePinnedImage('prod/orders', 'image', image);
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  test.each([
    'orders:1.0',
    'shop/orders:1.0',
    'registry.example.com/shop/orders:1.4.2',
    'registry.example.com:5000/shop/orders:1.4.2',
    'localhost:5000/orders:1.4.2',
    'localhost/orders:1.4.2',
    '[::1]:5000/orders:1.4.2',
    'Registry.Example.com/orders:1.4.2',
    // an uppercase first component is a registry host, as the container runtimes read it
    'Registry/orders:1.4.2',
    'shop/orders_v2.api__x---y:1.0',
    'orders:V1.0_rc-1',
    `orders@${digest}`,
    `registry.example.com/orders:1.4.2@${digest}`,
  ])('accepts %s', (image) => {
    expect(error(image)).toBe('accepted');
  });

  test('rejects an uppercase repository path component', () => {
    expect(error('Orders:1.0')).toBe('[prod/orders] image ("Orders:1.0") has an invalid repository path component "Orders": use lowercase letters and digits, separated by \'.\', \'_\', \'__\' or \'-\'');
    expect(error('registry.example.com/Shop/orders:1.0')).toBe('[prod/orders] image ("registry.example.com/Shop/orders:1.0") has an invalid repository path component "Shop": use lowercase letters and digits, separated by \'.\', \'_\', \'__\' or \'-\'');
  });

  test('rejects separators at the ends of a path component and unknown separators', () => {
    expect(error('shop/-orders:1.0')).toContain('invalid repository path component "-orders"');
    expect(error('shop/orders.:1.0')).toContain('invalid repository path component "orders."');
    expect(error('shop/orders___v2:1.0')).toContain('invalid repository path component "orders___v2"');
    expect(error('shop//orders:1.0')).toContain('invalid repository path component ""');
    expect(error('shop/or+ders:1.0')).toContain('invalid repository path component "or+ders"');
  });

  test('rejects an invalid registry host or port', () => {
    expect(error('reg_istry.example.com/orders:1.0')).toBe('[prod/orders] image ("reg_istry.example.com/orders:1.0") has an invalid registry host "reg_istry.example.com": use a host name or [IPv6] address with an optional :port, e.g. registry.example.com:5000');
    expect(error('registry.example.com:port/orders:1.0')).toContain('invalid registry host "registry.example.com:port"');
    expect(error('-registry.example.com/orders:1.0')).toContain('invalid registry host "-registry.example.com"');
  });

  test('rejects a tag outside the tag grammar', () => {
    expect(error('orders:.1')).toBe('[prod/orders] image ("orders:.1") has an invalid tag: use letters, digits, \'_\', \'.\' and \'-\', at most 128 characters');
    expect(error(`orders:${'a'.repeat(129)}`)).toContain('has an invalid tag');
    expect(error(`orders:${'a'.repeat(128)}`)).toBe('accepted');
  });

  test('rejects a digest that is not sha256 with 64 lowercase hex digits', () => {
    expect(error('orders@sha256:' + 'a'.repeat(63))).toBe(`[prod/orders] image ("orders@sha256:${'a'.repeat(63)}") has an invalid digest: use @sha256: followed by 64 hex digits`);
    expect(error('orders@sha256:' + 'A'.repeat(64))).toContain('has an invalid digest');
    expect(error('orders@sha512:' + 'a'.repeat(64))).toContain('has an invalid digest');
  });

  test('rejects a name longer than 255 characters', () => {
    const long = `registry.example.com/${'a'.repeat(240)}`;
    expect(error(`${long}:1.0`)).toBe(`[prod/orders] image ("${long}:1.0") has a repository name of 261 characters: at most 255`);
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
