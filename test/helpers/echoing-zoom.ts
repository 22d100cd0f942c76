import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Zoom that grants a token, then answers every other call with a 400 (code 300) whose
 * message is `message`: a server repeating what it was sent in its own words.
 */
export async function echoingZoom(message: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/oauth')) res.end(JSON.stringify({ access_token: 't', expires_in: 3600 }));
    else res.writeHead(400).end(JSON.stringify({ code: 300, message }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
