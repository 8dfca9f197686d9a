// A throwaway private CA and a server certificate for TLS tests, made with
// the openssl command (tests that need it are skipped without it).

/** Whether the `openssl` command is available. */
export const hasOpenssl: boolean = await new Deno.Command("openssl", {
  args: ["version"],
}).output().then((o) => o.success, () => false);

/** Files written by {@linkcode makePki}, and their PEM texts. */
export interface TestPki {
  /** Path of the CA certificate (`ca.pem`). */
  caFile: string;
  /** Path of the server certificate (`server.pem`). */
  certFile: string;
  /** Path of the server key (`server.key`). */
  keyFile: string;
  ca: string;
  cert: string;
  key: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd: dir }).output();
  if (!out.success) {
    throw new Error(
      `openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

/**
 * Writes a CA (`ca.pem`) and a certificate it signed for localhost and
 * 127.0.0.1 (`server.pem`, `server.key`) into `dir`.
 */
export async function makePki(dir: string): Promise<TestPki> {
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\n" +
      "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
  await openssl(
    dir,
    "req",
    "-x509",
    ...EC,
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=test CA",
  );
  await openssl(
    dir,
    "req",
    ...EC,
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  );
  await openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  );
  const files = {
    caFile: `${dir}/ca.pem`,
    certFile: `${dir}/server.pem`,
    keyFile: `${dir}/server.key`,
  };
  return {
    ...files,
    ca: await Deno.readTextFile(files.caFile),
    cert: await Deno.readTextFile(files.certFile),
    key: await Deno.readTextFile(files.keyFile),
  };
}
