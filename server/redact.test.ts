// redactUrl / redactIn: no credential of a model URL survives in what tern-server shows or logs.
import { redactIn, redactUrl } from './redact.js';

const SIGNED = 'https://bucket.s3.amazonaws.com/models/species-1.1.0.onnx?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261202&X-Amz-Signature=0123456789abcdef&X-Amz-Expires=3600';

describe('redactUrl', () => {
  it('replaces query values and keeps the keys, host and path', () => {
    expect(redactUrl(SIGNED)).toBe('https://bucket.s3.amazonaws.com/models/species-1.1.0.onnx?X-Amz-Algorithm=***&X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Expires=***');
  });

  it('replaces userinfo and fragments', () => {
    expect(redactUrl('https://alice:s3cret@models.example/m.onnx#tok')).toBe('https://***@models.example/m.onnx#***');
    expect(redactUrl('https://token@models.example/m.onnx')).toBe('https://***@models.example/m.onnx');
  });

  it('leaves URLs without secrets alone', () => {
    expect(redactUrl('http://127.0.0.1:8080/species/1.1.0/species-1.1.0.onnx')).toBe('http://127.0.0.1:8080/species/1.1.0/species-1.1.0.onnx');
    expect(redactUrl('file:///models/m.onnx')).toBe('file:///models/m.onnx');
  });

  it('cuts what it cannot parse at the first userinfo, query or fragment', () => {
    expect(redactUrl('not a url?sig=abc')).toBe('not a url***');
  });
});

describe('redactIn', () => {
  it('removes the URL and each secret from a message, encoded or not', () => {
    const message = `GET ${SIGNED} failed; signature 0123456789abcdef; credential AKIAEXAMPLE%2F20261202 / AKIAEXAMPLE/20261202`;
    const out = redactIn(message, SIGNED);
    expect(out).not.toMatch(/0123456789abcdef|AKIAEXAMPLE/);
    expect(out).toContain('X-Amz-Signature=***');
  });
});
