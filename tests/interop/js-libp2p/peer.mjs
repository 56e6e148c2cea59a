// A js-libp2p gossipsub peer for the interoperability test: dials every
// multiaddr given on the command line, subscribes to Kodeon's post topic
// with Kodeon's message-id function (blake3 of the data), forwards what it
// hears (gossipsub does, after its own signature check), and prints one
// JSON line per event on stdout: {"event":"ready"|"subscribed"|"message",...}.
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { gossipsub } from '@libp2p/gossipsub'
import { multiaddr } from '@multiformats/multiaddr'
import { blake3 } from '@noble/hashes/blake3'

const TOPIC = 'kodeon/1/post'
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n')

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    pubsub: gossipsub({
      // The same ids as Kodeon nodes: one record, one message.
      msgIdFn: (msg) => blake3(msg.data),
      allowPublishToZeroTopicPeers: true,
      emitSelf: false
    })
  }
})

const pubsub = node.services.pubsub
pubsub.addEventListener('subscription-change', (evt) => {
  for (const s of evt.detail.subscriptions) {
    if (s.topic === TOPIC && s.subscribe) {
      say({ event: 'subscribed', peer: evt.detail.peerId.toString() })
    }
  }
})
pubsub.addEventListener('message', (evt) => {
  if (evt.detail.topic !== TOPIC) return
  const text = new TextDecoder().decode(evt.detail.data)
  say({ event: 'message', bytes: evt.detail.data.length, text })
})
pubsub.subscribe(TOPIC)

for (const addr of process.argv.slice(2)) {
  await node.dial(multiaddr(addr))
}
say({ event: 'ready', peer: node.peerId.toString() })

const stop = async () => { await node.stop(); process.exit(0) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
