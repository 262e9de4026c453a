// A throwaway CA and a serving certificate for 127.0.0.1/localhost, generated at every start.
import { generate } from 'selfsigned';

export interface ServingCerts {
  caCert: string;
  cert: string;
  key: string;
}

export async function generateServingCerts(): Promise<ServingCerts> {
  const notAfterDate = new Date(Date.now() + 365 * 86400_000);
  const ca = await generate([{ name: 'commonName', value: 'gitops-drift-emulator-ca' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { caCert: ca.cert, cert: server.cert, key: server.private };
}
