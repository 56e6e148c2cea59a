// A small ActivityPub server written with Fedify (@fedify/fedify 1.5 from
// ./node_modules, or 1.6 on Node 22 from node22/node_modules when started as
// node22/peer.mjs, a symbolic link, with --preserve-symlinks-main), run by
// run.sh against a real Kodeon node. It has one actor, `fedi`, and a control
// API under /_test/ that run.sh drives with curl:
//
//   GET  /_test/lookup?q=HANDLE-OR-URL  look an actor up (WebFinger, signed GET),
//                                       verifying its FEP-8b32 proofs
//   POST /_test/follow?q=ACTOR-URL      send Follow
//   POST /_test/unfollow?q=ACTOR-URL    send Undo(Follow)
//   POST /_test/note?content=..&mention=ACTOR-URL&group=GROUP-URL
//                                       send a public Create(Note) to the mentioned
//                                       actor and to every follower; with `group`,
//                                       posted in that group (FEP-1b12): the group
//                                       in `cc` and `audience`, and its inbox a
//                                       recipient
//   POST /_test/update?id=NOTE-URL&content=..  send Update(Note) to the same audience
//   POST /_test/delete?id=NOTE-URL      send Delete(Tombstone) to the same audience
//   POST /_test/like?object=URL&to=ACTOR-URL   send Like
//   POST /_test/unlike?object=URL&to=ACTOR-URL send Undo(Like)
//   GET  /_test/event?id=URL            look an event up by its id (signed GET) and
//                                       say what Fedify's vocabulary (its `Event`
//                                       class) made of it
//   GET  /_test/course?id=URL           look a Kodeon course up by its id (signed GET)
//                                       and say what Fedify's vocabulary made of it
//                                       (an Article: name, summary, url, content)
//   POST /_test/join?event=URL&to=ACTOR-URL   send Join of the event to the actor
//   POST /_test/leave?event=URL&to=ACTOR-URL  send Leave of the event to the actor
//   GET  /_test/verify-attestation?id=URL  fetch a Kodeon attestation object by its id
//                                       (signed GET) and verify its FEP-8b32 proof with
//                                       Fedify's verifyProof (the key fetched from the
//                                       verificationMethod), and a copy changed after
//                                       signing
//   POST /_test/attest?to=ACTOR-URL&subject=DID&claim=..&kind=..[&tamper=1]
//                                       sign a kd:Attestation about the actor with
//                                       Fedify's createProof and fedi's Ed25519 key,
//                                       and POST its Create to the actor's inbox (with
//                                       `tamper`, changed after signing); answers
//                                       {status, id}
//   GET  /_test/version                 {fedify, node}: the versions running
//   GET  /_test/events                  activities Fedify's inbox accepted (only
//                                       after verifying their HTTP signature); an
//                                       Announce with what Fedify parsed of its
//                                       object (an embedded Create and its Note, or
//                                       a Note); a Create or Update with the
//                                       name and times of an Event object; an
//                                       Accept or Reject with what it answers (a
//                                       Follow, or a Join and its event)
//   GET  /_test/inbox-log               status of every POST to Fedify's inboxes
//   GET  /_test/requests                {method, url, signature, status} of
//                                       every request Fedify sent
//   POST /_test/tampered?inbox=URL      POST a Follow whose draft-cavage signature
//                                       was altered after signing; answers
//                                       {status} (Kodeon must say 401)
//
//   node peer.mjs PORT
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { setDefaultResultOrder } from "node:dns";
import {
  Accept, Announce, Article, Create, Delete, Endpoints, Event, Follow, Join, Leave, Like, Note, Person, PUBLIC_COLLECTION, Reject,
  Tombstone, Undo, Update,
  createFederation, generateCryptoKeyPair, signRequest, isActor, MemoryKvStore, InProcessMessageQueue,
  verifyProof, createProof, DataIntegrityProof, getDocumentLoader,
} from "@fedify/fedify";
import { configure, getConsoleSink } from "@logtape/logtape";
import { Temporal } from "@js-temporal/polyfill";

const port = Number(process.argv[2]);
const fedifyVersion = JSON.parse(readFileSync(new URL(
  import.meta.resolve("@fedify/fedify").replace(/(node_modules\/@fedify\/fedify\/).*$/, "$1package.json"),
))).version;
const origin = `http://localhost:${port}`;
setDefaultResultOrder("ipv4first"); // both servers listen on 127.0.0.1 only

await configure({
  sinks: { console: getConsoleSink() },
  filters: {},
  loggers: [
    { category: "fedify", sinks: ["console"], level: process.env.FEDIFY_LOG ?? "warning" },
    { category: ["logtape", "meta"], sinks: [], level: "warning" },
  ],
});

// Fedify looks `acct:` handles up at https://HOST/.well-known/webfinger,
// whatever the scheme of the server; this test has no TLS, so the requests to
// the two local test servers go over plain http. Every request Fedify sends
// (deliveries, and the fetches of Kodeon's documents) is logged with its
// status and the signature scheme it carries.
const requestLog = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const rewrite = (u) => u.replace(/^https:\/\/localhost:(\d+)\//, "http://localhost:$1/");
  if (typeof input === "string") input = rewrite(input);
  else if (input instanceof URL) input = rewrite(input.href);
  else if (input instanceof Request && input.url.startsWith("https://localhost:")) {
    input = new Request(rewrite(input.url), input);
  }
  const isRequest = input instanceof Request;
  const h = isRequest ? input.headers : new Headers(init?.headers);
  const entry = {
    method: (isRequest ? input.method : init?.method) ?? "GET",
    url: isRequest ? input.url : String(input),
    signature: h.get("signature-input") ? "rfc9421" : h.get("signature") ? "draft-cavage" : "none",
  };
  const response = await realFetch(input, init);
  requestLog.push({ ...entry, status: response.status });
  return response;
};

// JSON-LD contexts the peer has at hand: the Data Integrity v2 context
// (which Kodeon's attestation objects name) is not among those Fedify 1.5
// bundles, and the test must not depend on w3id.org being reachable, so it
// is read from the copy Kodeon bundles (run.sh starts the peer in this
// directory); others are fetched as Fedify would.
const bundledContexts = {
  "https://w3id.org/security/data-integrity/v2": JSON.parse(readFileSync(new URL(
    "../../../protocol/src/credentials/contexts/data-integrity-v2.jsonld",
    pathToFileURL(`${process.cwd()}/`),
  ))),
};
const fetchContext = getDocumentLoader({ allowPrivateAddress: true });
const contextLoader = async (url) =>
  url in bundledContexts
    ? { contextUrl: null, documentUrl: url, document: bundledContexts[url] }
    : await fetchContext(url);

const federation = createFederation({
  kv: new MemoryKvStore(),
  queue: new InProcessMessageQueue(),
  origin,
  allowPrivateAddress: true,
  contextLoaderFactory: () => contextLoader,
});

const ID = "fedi";
const keys = [
  await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"),
  await generateCryptoKeyPair("Ed25519"),
];
const followers = new Map(); // actor id -> Actor
const notes = new Map(); // note id -> { note, mentioned }
const events = [];
const inboxLog = [];

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== ID) return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify peer",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((p) => p.multikey),
    });
  })
  .setKeyPairsDispatcher((_ctx, identifier) => (identifier === ID ? keys : []))
  .mapHandle((_ctx, username) => (username === ID ? ID : null));

federation.setOutboxDispatcher("/users/{identifier}/outbox", () => ({ items: [] }));
federation.setFollowersDispatcher("/users/{identifier}/followers", () => ({
  items: [...followers.values()].map((a) => ({ id: a.id, inboxId: a.inboxId, endpoints: a.endpoints })),
}));

// What an Accept or Reject answers: Fedify's Follow, or its Join of an event.
async function answered(answer) {
  const object = await answer.getObject();
  return {
    objectType: object?.constructor?.name,
    objectId: object?.id?.href ?? answer.objectId?.href,
    objectActor: object instanceof Follow || object instanceof Join ? object.actorId?.href : undefined,
    objectObject: object instanceof Join ? object.objectId?.href : undefined,
  };
}

// What Fedify's `Event` class reads of an event object (times as instants).
function eventFields(object) {
  if (!(object instanceof Event)) return {};
  return {
    name: object.name?.toString(),
    startMs: object.startTime?.epochMilliseconds,
    endMs: object.endTime?.epochMilliseconds,
  };
}

async function record(ctx, activity, extra = {}) {
  const json = await activity.toJsonLd({ contextLoader: ctx.contextLoader });
  events.push({ type: json.type, id: activity.id?.href, actor: activity.actorId?.href, json, ...extra });
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    const follower = await follow.getActor();
    if (follow.objectId?.href !== ctx.getActorUri(ID).href || !isActor(follower)) {
      await record(ctx, follow, { note: "not for fedi" });
      return;
    }
    followers.set(follower.id.href, follower);
    await record(ctx, follow);
    await ctx.sendActivity(
      { identifier: ID },
      follower,
      new Accept({ id: new URL(`${origin}/accepts/${crypto.randomUUID()}`), actor: ctx.getActorUri(ID), object: follow }),
    );
  })
  // An Accept or Reject of Fedify's Follow, or of its Join of an event (the
  // Join embedded, its object the event's id).
  .on(Accept, async (ctx, accept) => record(ctx, accept, await answered(accept)))
  .on(Reject, async (ctx, reject) => record(ctx, reject, await answered(reject)))
  .on(Create, async (ctx, create) => {
    const object = await create.getObject();
    await record(ctx, create, {
      objectType: object?.constructor?.name,
      objectId: object?.id?.href,
      content: object?.content?.toString(),
      name: object?.name?.toString(),
      ...eventFields(object),
    });
  })
  // A group's announce (FEP-1b12): of the Create of a post in the group, or
  // of the post itself. What Fedify makes of the object is recorded: its
  // type and id, and for a Create its actor and the Note inside.
  .on(Announce, async (ctx, announce) => {
    const object = await announce.getObject();
    const note = object instanceof Create ? await object.getObject() : object;
    await record(ctx, announce, {
      objectType: object?.constructor?.name,
      objectId: object?.id?.href ?? announce.objectId?.href,
      objectActor: object instanceof Create ? object.actorId?.href : undefined,
      noteType: note?.constructor?.name,
      noteId: note?.id?.href,
      attribution: note?.attributionId?.href,
      audience: note?.audienceId?.href,
      content: note?.content?.toString(),
    });
  })
  .on(Undo, async (ctx, undo) => {
    const object = await undo.getObject();
    if (object instanceof Follow && object.actorId) followers.delete(object.actorId.href);
    await record(ctx, undo, { objectType: object?.constructor?.name });
  })
  .on(Like, async (ctx, like) => record(ctx, like, { objectId: like.objectId?.href }))
  .on(Update, async (ctx, update) => {
    const object = await update.getObject();
    await record(ctx, update, {
      objectType: object?.constructor?.name, objectId: object?.id?.href, content: object?.content?.toString(),
      ...eventFields(object),
    });
  })
  .on(Delete, async (ctx, del) => record(ctx, del, { objectId: del.objectId?.href }))
  // Fetch the keys of activities posted to the shared inbox with signed GETs
  // too (servers with authorized fetch, Kodeon's included, require them).
  .setSharedKeyDispatcher(() => ({ identifier: ID }))
  .onError((_ctx, error) => {
    events.push({ type: "error", error: String(error) });
  });

const json = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

async function lookup(ctx, q) {
  const documentLoader = await ctx.getDocumentLoader({ identifier: ID }); // signed GETs
  return await ctx.lookupObject(q, { documentLoader });
}

async function control(req, res, url) {
  const ctx = federation.createContext(new URL(origin), undefined);
  const q = url.searchParams;
  const me = ctx.getActorUri(ID);
  switch (url.pathname) {
    case "/_test/lookup": {
      const a = await lookup(ctx, q.get("q"));
      if (a == null) return json(res, 404, { error: "not found" });
      const documentLoader = await ctx.getDocumentLoader({ identifier: ID });
      const key = await a.getPublicKey?.({ documentLoader }).catch((e) => ({ error: String(e) }));
      const methods = [];
      try {
        for await (const m of a.getAssertionMethods({ documentLoader })) {
          methods.push({ id: m.id?.href, controller: m.controllerId?.href, algorithm: m.publicKey?.algorithm?.name });
        }
      } catch (e) {
        methods.push({ error: String(e) });
      }
      // FEP-8b32: Fedify's own eddsa-jcs-2022 verification of the proofs
      // embedded in the actor document as it was served.
      const proofs = [];
      try {
        const { document } = await documentLoader(a.id.href);
        for await (const proof of a.getProofs({ documentLoader, contextLoader: ctx.contextLoader })) {
          const key = await verifyProof(document, proof, { documentLoader, contextLoader: ctx.contextLoader });
          proofs.push({
            cryptosuite: proof.cryptosuite,
            method: proof.verificationMethodId?.href,
            verified: key != null,
            controller: key?.controllerId?.href,
          });
        }
      } catch (e) {
        proofs.push({ error: String(e) });
      }
      return json(res, 200, {
        proofs,
        type: a.constructor.name,
        isActor: isActor(a),
        id: a.id?.href,
        preferredUsername: a.preferredUsername?.toString(),
        inbox: a.inboxId?.href,
        sharedInbox: a.endpoints?.sharedInbox?.href,
        outbox: a.outboxId?.href,
        followers: a.followersId?.href,
        publicKey: key && !key.error
          ? { id: key.id?.href, owner: key.ownerId?.href, algorithm: key.publicKey?.algorithm?.name }
          : key,
        assertionMethods: methods,
      });
    }
    case "/_test/follow":
    case "/_test/unfollow": {
      const target = await lookup(ctx, q.get("q"));
      if (!isActor(target)) return json(res, 404, { error: "not an actor" });
      const follow = new Follow({ id: new URL(`${origin}/follows/${encodeURIComponent(target.id.href)}`), actor: me, object: target.id });
      const activity = url.pathname === "/_test/follow"
        ? follow
        : new Undo({ id: new URL(`${origin}/undos/${crypto.randomUUID()}`), actor: me, object: follow });
      await ctx.sendActivity({ identifier: ID }, target, activity, { immediate: true });
      return json(res, 200, { id: activity.id.href, target: target.id.href });
    }
    case "/_test/note": {
      const recipients = [...followers.values()];
      const mentioned = q.get("mention") ? await lookup(ctx, q.get("mention")) : null;
      if (mentioned && isActor(mentioned) && !followers.has(mentioned.id.href)) recipients.push(mentioned);
      const group = q.get("group") ? await lookup(ctx, q.get("group")) : null;
      if (q.get("group") && !isActor(group)) return json(res, 404, { error: "no such group" });
      if (group && !followers.has(group.id.href)) recipients.push(group);
      const id = new URL(`${origin}/notes/${crypto.randomUUID()}`);
      const note = new Note({
        id, attribution: me, content: q.get("content"), published: Temporal.Now.instant(),
        to: PUBLIC_COLLECTION,
        ccs: [ctx.getFollowersUri(ID), ...(mentioned ? [mentioned.id] : []), ...(group ? [group.id] : [])],
        audience: group?.id ?? null,
      });
      const create = new Create({
        id: new URL(`${id.href}/activity`), actor: me, object: note, published: note.published,
        to: PUBLIC_COLLECTION, ccs: note.ccIds,
      });
      await ctx.sendActivity({ identifier: ID }, recipients, create, { immediate: true });
      notes.set(id.href, { note, mentioned: mentioned && isActor(mentioned) ? mentioned : null });
      return json(res, 200, { id: id.href, recipients: recipients.map((r) => r.id.href) });
    }
    case "/_test/update":
    case "/_test/delete": {
      const sent = notes.get(q.get("id"));
      if (sent == null) return json(res, 404, { error: "no such note" });
      const recipients = [...followers.values()];
      if (sent.mentioned && !followers.has(sent.mentioned.id.href)) recipients.push(sent.mentioned);
      const now = Temporal.Now.instant();
      let activity;
      if (url.pathname === "/_test/update") {
        sent.note = sent.note.clone({ content: q.get("content"), updated: now });
        activity = new Update({
          id: new URL(`${sent.note.id.href}/update/${crypto.randomUUID()}`), actor: me, object: sent.note,
          to: PUBLIC_COLLECTION, ccs: sent.note.ccIds, updated: now,
        });
      } else {
        notes.delete(q.get("id"));
        activity = new Delete({
          id: new URL(`${sent.note.id.href}/delete`), actor: me,
          object: new Tombstone({ id: sent.note.id, deleted: now }), to: PUBLIC_COLLECTION, ccs: sent.note.ccIds,
        });
      }
      await ctx.sendActivity({ identifier: ID }, recipients, activity, { immediate: true });
      return json(res, 200, { id: activity.id.href, recipients: recipients.map((r) => r.id.href) });
    }
    case "/_test/like":
    case "/_test/unlike": {
      const to = await lookup(ctx, q.get("to"));
      if (!isActor(to)) return json(res, 404, { error: "not an actor" });
      const like = new Like({ id: new URL(`${origin}/likes/${encodeURIComponent(q.get("object"))}`), actor: me, object: new URL(q.get("object")) });
      const activity = url.pathname === "/_test/like"
        ? like
        : new Undo({ id: new URL(`${origin}/undos/${crypto.randomUUID()}`), actor: me, object: like });
      await ctx.sendActivity({ identifier: ID }, to, activity, { immediate: true });
      return json(res, 200, { id: activity.id.href });
    }
    case "/_test/event": {
      const documentLoader = await ctx.getDocumentLoader({ identifier: ID }); // signed GETs
      const event = await ctx.lookupObject(q.get("id"), { documentLoader });
      if (event == null) return json(res, 404, { error: "not found" });
      // The document as served, read by Event.fromJsonLd itself too.
      const { document } = await documentLoader(q.get("id"));
      const parsed = await Event.fromJsonLd(document, { documentLoader, contextLoader: ctx.contextLoader });
      const attachments = [];
      for await (const a of event.getAttachments?.({ documentLoader }) ?? []) {
        attachments.push({ type: a?.constructor?.name, href: a?.href?.href, name: a?.name?.toString() });
      }
      return json(res, 200, {
        type: event.constructor.name,
        fromJsonLd: parsed.constructor.name,
        sameAsLookup: parsed.id?.href === event.id?.href && parsed.startTime?.epochMilliseconds === event.startTime?.epochMilliseconds,
        id: event.id?.href,
        attribution: event.attributionId?.href,
        url: event.url?.href,
        content: event.content?.toString(),
        attachments,
        ...eventFields(event),
      });
    }
    case "/_test/course": {
      const documentLoader = await ctx.getDocumentLoader({ identifier: ID }); // signed GETs
      const course = await ctx.lookupObject(q.get("id"), { documentLoader });
      if (course == null) return json(res, 404, { error: "not found" });
      const { document } = await documentLoader(q.get("id"));
      const parsed = await Article.fromJsonLd(document, { documentLoader, contextLoader: ctx.contextLoader });
      return json(res, 200, {
        type: course.constructor.name,
        fromJsonLd: parsed.constructor.name,
        id: course.id?.href,
        attribution: course.attributionId?.href,
        url: course.url?.href,
        name: course.name?.toString(),
        summary: course.summary?.toString(),
        content: course.content?.toString(),
      });
    }
    case "/_test/join":
    case "/_test/leave": {
      const to = await lookup(ctx, q.get("to"));
      if (!isActor(to)) return json(res, 404, { error: "not an actor" });
      const [Kind, path] = url.pathname === "/_test/join" ? [Join, "joins"] : [Leave, "leaves"];
      const activity = new Kind({
        id: new URL(`${origin}/${path}/${crypto.randomUUID()}`), actor: me, object: new URL(q.get("event")),
      });
      await ctx.sendActivity({ identifier: ID }, to, activity, { immediate: true });
      return json(res, 200, { id: activity.id.href });
    }
    case "/_test/verify-attestation": {
      const documentLoader = await ctx.getDocumentLoader({ identifier: ID }); // signed GETs
      const { document } = await documentLoader(q.get("id"));
      const verify = async (doc) => {
        // The proof read with the Data Integrity context Fedify bundles
        // (it defines the same terms as v2, which the object names).
        const proof = await DataIntegrityProof.fromJsonLd(
          { "@context": "https://w3id.org/security/data-integrity/v1", ...doc.proof },
          { documentLoader, contextLoader: ctx.contextLoader },
        );
        return await verifyProof(doc, proof, { documentLoader, contextLoader: ctx.contextLoader });
      };
      const key = await verify(document);
      const tampered = await verify({ ...document, claim: `${document.claim}-changed` });
      return json(res, 200, {
        type: document.type, claim: document.claim, kind: document.attestationKind,
        issuer: document.attributedTo, verified: key != null, controller: key?.controllerId?.href,
        tamperedVerified: tampered != null,
      });
    }
    case "/_test/attest": {
      const to = await lookup(ctx, q.get("to"));
      if (!isActor(to)) return json(res, 404, { error: "not an actor" });
      const pairs = await ctx.getActorKeyPairs(ID);
      const ed = pairs.find((p) => p.privateKey.algorithm.name === "Ed25519");
      const id = `${origin}/attestations/${crypto.randomUUID()}`;
      const document = {
        "@context": [
          "https://www.w3.org/ns/activitystreams",
          "https://w3id.org/security/data-integrity/v2",
          {
            kd: "https://kodeon.org/ns#",
            about: { "@id": "kd:about", "@type": "@id" },
            subjectKey: "kd:subjectKey",
            attestationKind: "kd:attestationKind",
            claim: "kd:claim",
            comment: "kd:comment",
            group: { "@id": "kd:group", "@type": "@id" },
          },
        ],
        id, type: ["kd:Attestation", "Object"], attributedTo: me.href, about: to.id.href,
        subjectKey: q.get("subject"), attestationKind: q.get("kind") ?? "skill", claim: q.get("claim"),
        comment: "signed by Fedify", published: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      };
      // Fedify's own eddsa-jcs-2022 signer, over this very JSON (createProof
      // reads an object only through clone() and toJsonLd()).
      const object = { clone: () => object, toJsonLd: async () => document };
      const created = Temporal.Now.instant().round({ smallestUnit: "second" });
      const proof = await createProof(object, ed.privateKey, ed.keyId, { contextLoader: ctx.contextLoader, created });
      const proofJson = await proof.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
      delete proofJson["@context"];
      const signed = { ...document, proof: proofJson };
      if (q.get("tamper")) signed.claim = `${signed.claim}-changed`;
      const body = JSON.stringify({
        "@context": "https://www.w3.org/ns/activitystreams", id: `${id}/create`, type: "Create",
        actor: me.href, to: [to.id.href], object: signed,
      });
      const request = await signRequest(
        new Request(to.inboxId.href, { method: "POST", headers: { "content-type": "application/activity+json" }, body }),
        keys[0].privateKey,
        new URL(`${me.href}#main-key`),
      );
      const response = await realFetch(request);
      return json(res, 200, { status: response.status, id, body: (await response.text()).slice(0, 300) });
    }
    case "/_test/version":
      return json(res, 200, { fedify: fedifyVersion, node: process.version });
    case "/_test/events":
      return json(res, 200, events);
    case "/_test/inbox-log":
      return json(res, 200, inboxLog);
    case "/_test/requests":
      return json(res, 200, requestLog);
    case "/_test/tampered": {
      const follow = new Follow({ id: new URL(`${origin}/follows/${crypto.randomUUID()}`), actor: me, object: new URL(q.get("object")) });
      const body = JSON.stringify(await follow.toJsonLd({ contextLoader: ctx.contextLoader }));
      const signed = await signRequest(
        new Request(q.get("inbox"), { method: "POST", headers: { "content-type": "application/activity+json" }, body }),
        keys[0].privateKey,
        new URL(`${me.href}#main-key`),
      );
      const headers = new Headers(signed.headers);
      // Flip one base64 character of the signature value.
      headers.set("signature", headers.get("signature").replace(/signature="(.)/, (_m, c) => `signature="${c === "A" ? "B" : "A"}`));
      const response = await realFetch(new Request(signed.url, { method: "POST", headers, body }));
      return json(res, 200, { status: response.status, body: (await response.text()).slice(0, 200) });
    }
    case "/_test/followers":
      return json(res, 200, [...followers.keys()]);
  }
  return json(res, 404, { error: "no such control endpoint" });
}

createServer(async (req, res) => {
  const url = new URL(req.url, origin);
  try {
    if (url.pathname.startsWith("/_test/")) return await control(req, res, url);
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(url, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
    const response = await federation.fetch(request, { contextData: undefined });
    if (req.method === "POST") {
      const text = await response.clone().text();
      inboxLog.push({ path: url.pathname, status: response.status, signature: headers.get("signature") ? "draft-cavage" : headers.get("signature-input") ? "rfc9421" : "none", body: text.slice(0, 300) });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (e) {
    console.error(e);
    json(res, 500, { error: String(e?.stack ?? e) });
  }
}).listen(port, "127.0.0.1", () => console.log(`listening on ${origin} (Fedify ${fedifyVersion}, Node ${process.version})`));
