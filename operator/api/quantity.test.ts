// The quantity parser and canonical form against Kubernetes' own tables: the cases of TestQuantityParse,
// TestQuantityString and TestQuantityParseEmit in k8s.io/apimachinery pkg/api/resource/quantity_test.go
// (github.com/kubernetes/apimachinery, commit 357557a670d84c30ef3b5355f02c11d8aba5a941), copied as data,
// with the same negative and explicit-plus variants those tests run.
import { canonicalQuantity, formatQuantity, isQuantity, parseQuantity, QuantityError, sameQuantity, type Quantity, type QuantityFormat } from './quantity.js';

const MAX_INT64 = 2n ** 63n - 1n;
const D: QuantityFormat = 'DecimalSI';
const B: QuantityFormat = 'BinarySI';
const X: QuantityFormat = 'DecimalExponent';

/** One value per number: unscaled without factors of ten, and its exponent. */
function valueOf(unscaled: bigint, exponent: number): string {
  if (unscaled === 0n) return '0';
  while (unscaled % 10n === 0n) {
    unscaled /= 10n;
    exponent++;
  }
  return `${unscaled}e${exponent}`;
}
const dec = (unscaled: bigint | number, exponent: number, format: QuantityFormat): Quantity => ({ unscaled: BigInt(unscaled), exponent, format });

// TestQuantityParse: input -> decQuantity(value, exponent, format).
const PARSE: Array<[string, Quantity]> = [
  ['0', dec(0, 0, D)], ['0n', dec(0, 0, D)], ['0u', dec(0, 0, D)], ['0m', dec(0, 0, D)], ['0Ki', dec(0, 0, B)], ['0k', dec(0, 0, D)],
  ['0Mi', dec(0, 0, B)], ['0M', dec(0, 0, D)], ['0Gi', dec(0, 0, B)], ['0G', dec(0, 0, D)], ['0Ti', dec(0, 0, B)], ['0T', dec(0, 0, D)],
  ['1', dec(1, 0, D)],
  ['1Ki', dec(1024, 0, B)], ['8Ki', dec(8 * 1024, 0, B)], ['7Mi', dec(7 * 1024 ** 2, 0, B)], ['6Gi', dec(6 * 1024 ** 3, 0, B)],
  ['5Ti', dec(5 * 1024 ** 4, 0, B)], ['4Pi', dec(4n * 1024n ** 5n, 0, B)], ['3Ei', dec(3n * 1024n ** 6n, 0, B)],
  ['10Ti', dec(10 * 1024 ** 4, 0, B)], ['100Ti', dec(100 * 1024 ** 4, 0, B)],
  ['5n', dec(5, -9, D)], ['4u', dec(4, -6, D)], ['3m', dec(3, -3, D)], ['9', dec(9, 0, D)], ['8k', dec(8, 3, D)], ['50k', dec(5, 4, D)],
  ['7M', dec(7, 6, D)], ['6G', dec(6, 9, D)], ['5T', dec(5, 12, D)], ['40T', dec(4, 13, D)], ['300T', dec(3, 14, D)], ['2P', dec(2, 15, D)], ['1E', dec(1, 18, D)],
  ['1E-3', dec(1, -3, X)], ['1e3', dec(1, 3, X)], ['1E6', dec(1, 6, X)], ['1e9', dec(1, 9, X)], ['1E12', dec(1, 12, X)], ['1e15', dec(1, 15, X)], ['1E18', dec(1, 18, X)],
  ['1e14', dec(1, 14, X)], ['1e13', dec(1, 13, X)], ['100.035k', dec(100035, 0, D)],
  ['0.001', dec(1, -3, D)], ['0.0005k', dec(5, -1, D)], ['0.005', dec(5, -3, D)], ['0.05', dec(5, -2, D)], ['0.5', dec(5, -1, D)], ['0.00050k', dec(5, -1, D)],
  ['0.00500', dec(5, -3, D)], ['0.05000', dec(5, -2, D)], ['0.50000', dec(5, -1, D)], ['0.5e0', dec(5, -1, X)], ['0.5e-1', dec(5, -2, X)], ['0.5e-2', dec(5, -3, X)],
  ['10.035M', dec(10035, 3, D)],
  ['1.2e3', dec(12, 2, X)], ['1.3E+6', dec(13, 5, X)], ['1.40e9', dec(14, 8, X)], ['1.53E12', dec(153, 10, X)], ['1.6e15', dec(16, 14, X)], ['1.7E18', dec(17, 17, X)],
  ['9.01', dec(901, -2, D)], ['8.1k', dec(81, 2, D)], ['7.123456M', dec(7123456, 0, D)], ['6.987654321G', dec(6987654321, 0, D)], ['5.444T', dec(5444, 9, D)],
  ['40.1T', dec(401, 11, D)], ['300.2T', dec(3002, 11, D)], ['2.5P', dec(25, 14, D)], ['1.01E', dec(101, 16, D)],
  ['3.001n', dec(4, -9, D)], ['1.1E-9', dec(2, -9, X)], ['0.0000000001', dec(1, -9, D)], ['0.0000000005', dec(1, -9, D)], ['0.00000000050', dec(1, -9, D)],
  ['0.5e-9', dec(1, -9, X)], ['0.9n', dec(1, -9, D)], ['0.00000012345', dec(124, -9, D)], ['0.00000012354', dec(124, -9, D)],
  ['9Ei', dec(MAX_INT64, 0, B)], ['9223372036854775807Ki', dec(MAX_INT64, 0, B)], ['12E', dec(12, 18, D)],
  ['100.035Ki', dec(10243584, -2, B)], ['0.5Mi', dec(0.5 * 1024 * 1024, 0, B)], ['0.05Gi', dec(536870912, -1, B)], ['0.025Ti', dec(274877906944, -1, B)],
  ['0.000000000001Ki', dec(2, -9, D)], ['.001', dec(1, -3, D)], ['.0001k', dec(100, -3, D)], ['1.', dec(1, 0, D)], ['1.G', dec(1, 9, D)],
];

// TestQuantityParse's invalid list.
const INVALID = ['', '1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', ' 1', '1 '];

// TestQuantityString: quantity -> its text, and an alternate spelling that parses to the same text.
const STRING: Array<[Quantity, string, string]> = [
  [dec(1024 ** 3, 0, B), '1Gi', '1024Mi'], [dec(300 * 1024 ** 2, 0, B), '300Mi', '307200Ki'], [dec(6 * 1024, 0, B), '6Ki', ''],
  [dec(1001 * 1024 ** 3, 0, B), '1001Gi', '1025024Mi'], [dec(1024 ** 4, 0, B), '1Ti', '1024Gi'], [dec(5, 0, B), '5', '5000m'],
  [dec(500, -3, B), '500m', '0.5'], [dec(1, 9, D), '1G', '1000M'], [dec(1000, 6, D), '1G', '0.001T'], [dec(1000000, 3, D), '1G', ''],
  [dec(1000000000, 0, D), '1G', ''], [dec(1, -3, D), '1m', '1000u'], [dec(80, -3, D), '80m', ''], [dec(1080, -3, D), '1080m', '1.08'],
  [dec(108, -2, D), '1080m', '1080000000n'], [dec(10800, -4, D), '1080m', ''], [dec(300, 6, D), '300M', ''], [dec(1, 12, D), '1T', ''],
  [dec(1, 18, D), '1E', ''], [dec(1, 21, D), '1e21', '1000E'], [dec(5, 21, D), '5e21', '5000E'], [dec(1, 24, D), '1e24', '1000000E'],
  [dec(1234567, 6, D), '1234567M', ''], [dec(1234567, -3, B), '1234567m', ''], [dec(3, 3, D), '3k', ''], [dec(1025, 0, B), '1025', ''],
  [dec(0, 0, D), '0', ''], [dec(0, 0, B), '0', ''], [dec(1, 9, X), '1e9', '.001e12'], [dec(1, -3, X), '1e-3', '0.001e0'],
  [dec(1, -9, X), '1e-9', '1000e-12'], [dec(80, -3, X), '80e-3', ''], [dec(300, 6, X), '300e6', ''], [dec(1, 12, X), '1e12', ''],
  [dec(1, 3, X), '1e3', ''], [dec(3, 3, X), '3e3', ''], [dec(3, 3, D), '3k', ''], [dec(0, 0, X), '0', '00'], [dec(1, -9, D), '1n', ''],
  [dec(80, -9, D), '80n', ''], [dec(1080, -9, D), '1080n', ''], [dec(108, -8, D), '1080n', ''], [dec(10800, -10, D), '1080n', ''],
  [dec(1, -6, D), '1u', ''], [dec(80, -6, D), '80u', ''], [dec(1080, -6, D), '1080u', ''],
];

// TestQuantityParseEmit: text in -> text out.
const EMIT: Array<[string, string]> = [
  ['1Ki', '1Ki'], ['1Mi', '1Mi'], ['1Gi', '1Gi'], ['1024Mi', '1Gi'], ['1000M', '1G'], ['.001Ki', '1024m'], ['.000001Ki', '1024u'],
  ['.000000001Ki', '1024n'], ['.000000000001Ki', '2n'],
];

describe('parseQuantity (apimachinery TestQuantityParse)', () => {
  it.each(PARSE)('%s', (input, expected) => {
    for (const [text, sign] of [[input, 1n], [`-${input}`, -1n], [`+${input}`, 1n]] as const) {
      const got = parseQuantity(text);
      expect([text, valueOf(got.unscaled, got.exponent), got.format]).toEqual([text, valueOf(sign * expected.unscaled, expected.exponent), expected.format]);
    }
  });

  it.each(INVALID.map((s) => [s]))('refuses %j', (input) => {
    expect(() => parseQuantity(input)).toThrow(QuantityError);
    expect(isQuantity(input)).toBe(false);
  });

  it('names the text and the reason', () => {
    expect(() => parseQuantity('1GB')).toThrow('"1GB" is not a quantity (it must be a number with an optional suffix); write one such as 500m, 2, 512Mi or 1e3');
    expect(() => parseQuantity('1Kii')).toThrow('"1Kii" is not a quantity (unknown suffix "Kii")');
  });

  it('accepts an exponent past int64 nowhere, and a huge one without building it', () => {
    expect(isQuantity('1e99999999999999999999')).toBe(false);
    expect(canonicalQuantity('1e-2000000000')).toBe('1e-9');
    expect(sameQuantity('1e2000000000', '1')).toBe(false);
  });
});

describe('formatQuantity (apimachinery TestQuantityString)', () => {
  it.each(STRING.map(([q, t, a]) => [t, q, a] as const))('%s', (text, quantity, alternate) => {
    expect(formatQuantity(quantity)).toBe(text);
    // Parsing the canonical text keeps it; an alternate spelling is rewritten to it.
    expect(parseQuantity(text).kept).toBe(text);
    if (alternate) {
      expect(parseQuantity(alternate).kept).toBeUndefined();
      expect(canonicalQuantity(alternate)).toBe(text);
    }
    if (quantity.unscaled !== 0n) expect(formatQuantity({ ...quantity, unscaled: -quantity.unscaled })).toBe(`-${text}`);
  });
});

describe('canonicalQuantity (apimachinery TestQuantityParseEmit)', () => {
  it.each(EMIT)('%s -> %s', (input, output) => {
    expect(canonicalQuantity(input)).toBe(output);
    expect(canonicalQuantity(`-${input}`)).toBe(`-${output}`);
  });

  it.each([
    ['1024Mi', '1Gi'], ['1000m', '1'], ['0.5', '500m'], ['1536Mi', '1536Mi'], ['2000k', '2M'], ['1e3', '1e3'], ['3072Mi', '3Gi'], ['1.5Gi', '1536Mi'], ['1', '1'],
  ])('writes what tern-server pods ask for as the apiserver stores it: %s -> %s', (input, output) => {
    expect(canonicalQuantity(input)).toBe(output);
  });
});

describe('sameQuantity', () => {
  it.each([
    ['1Gi', '1024Mi', true], ['1', '1000m', true], ['500m', '0.5', true], ['1e3', '1k', true], ['2M', '2000k', true], ['1Gi', '1G', false], ['1', '2', false],
    ['lots', 'lots', true], ['lots', '1', false],
  ])('%s and %s: %s', (a, b, same) => {
    expect(sameQuantity(a, b)).toBe(same);
  });
});
