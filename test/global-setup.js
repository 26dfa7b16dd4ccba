/**
 * Tests need Redis on 127.0.0.1:6379 (REDIS_URL aside). On a fresh machine none may be running: when nothing
 * answers there and Debian's redis-server is installed, one is started (no persistence, data in the temp folder)
 * and left running for later runs, as the README's commands do. Anything else is left to the tests' own errors.
 */
const { execFileSync } = require('node:child_process');
const net = require('node:net');
const os = require('node:os');

function pong(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(String(d).startsWith('+PONG')));
  });
}

module.exports = async () => {
  if (process.env.REDIS_URL || (await pong(6379))) return;
  try {
    execFileSync('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '--port',
      '6379',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      os.tmpdir(),
    ]);
  } catch {
    process.stdout.write(
      'test set-up: no Redis on 127.0.0.1:6379 and redis-server could not start (apt-get install redis-server)\n',
    );
    return;
  }
  for (let i = 0; i < 50 && !(await pong(6379)); i++) await new Promise((r) => setTimeout(r, 100));
  process.stdout.write('test set-up: started redis-server on 127.0.0.1:6379 (none answered)\n');
};
