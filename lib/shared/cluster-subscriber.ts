// The notifier's subscriber on a Cluster: one plain connection to one node, which it replaces
// itself when that node goes away — saying so. A PUBLISH on a Cluster reaches every node, so any
// node serves a subscriber. ioredis's own Cluster subscriber also moves to another node when its
// node dies, but silently: the Cluster object stays 'ready' and emits nothing, so an L1 kept
// coherent by invalidation messages would go on trusting itself across the messages it missed
// while moving. Here every loss is a 'close' and every replacement a 'ready', exactly like a
// standalone client's reconnect, and the notifier flushes and resubscribes as it does there.
import { EventEmitter } from 'node:events'
import { Redis, type Cluster } from 'ioredis'
import { reconnectDelay } from './connection.js'

/** What the notifier needs of its subscriber connection (an ioredis Redis has all of it). */
export interface SubscriberConnection {
  readonly status: string
  on (event: 'message', listener: (channel: string, message: string) => void): this
  on (event: 'close' | 'ready', listener: () => void): this
  on (event: 'error', listener: (err: Error) => void): this
  subscribe (channel: string): Promise<unknown>
  quit (): Promise<unknown>
  disconnect (): void
  removeAllListeners (event?: string): this
}

export class ClusterSubscriber extends EventEmitter implements SubscriberConnection {
  readonly #cluster: Cluster
  #conn: Redis | null = null
  #status = 'connecting'
  #attempts = 0
  #closed = false
  #timer: NodeJS.Timeout | null = null

  constructor (cluster: Cluster) {
    super()
    this.#cluster = cluster
    this.#connect()
  }

  get status (): string { return this.#status }

  #connect (): void {
    this.#timer = null
    if (this.#closed) return
    // The client's current view of the cluster (refreshed by its own failover handling), else
    // the nodes it started from.
    const nodes = this.#cluster.nodes('all')
    if (nodes.length === 0) { this.#retry(); return }
    const node = nodes[Math.floor(Math.random() * nodes.length)]
    const o = node.options
    const conn = new Redis({
      host: o.host,
      port: o.port,
      username: o.username,
      password: o.password,
      tls: o.tls,
      connectionName: o.connectionName,
      connectTimeout: o.connectTimeout,
      // One connection, one node: when it ends, the next one goes to a node picked again.
      retryStrategy: () => null,
      autoResubscribe: false,
      enableOfflineQueue: true
    })
    this.#conn = conn
    conn.on('error', () => {})
    conn.on('message', (channel: string, message: string) => this.emit('message', channel, message))
    conn.once('ready', () => {
      if (this.#conn !== conn) return
      this.#attempts = 0
      this.#status = 'ready'
      this.emit('ready')
    })
    conn.once('end', () => {
      if (this.#conn !== conn) return
      this.#conn = null
      if (this.#closed) return
      this.#status = 'reconnecting'
      this.emit('close')
      this.#retry()
    })
  }

  #retry (): void {
    if (this.#closed || this.#timer !== null) return
    this.#timer = setTimeout(() => this.#connect(), reconnectDelay(this.#attempts++))
    this.#timer.unref()
  }

  /** Subscribes on the current connection, once it is ready (the notifier bounds the wait). */
  async subscribe (channel: string): Promise<unknown> {
    for (;;) {
      if (this.#closed) throw new Error('subscriber closed')
      const conn = this.#conn
      if (conn !== null && this.#status === 'ready') return await conn.subscribe(channel)
      await new Promise<void>(resolve => {
        const done = (): void => { this.off('ready', done); this.off('shut', done); resolve() }
        this.once('ready', done)
        this.once('shut', done)
      })
    }
  }

  async quit (): Promise<unknown> {
    this.#shut()
    const conn = this.#conn
    this.#conn = null
    return await conn?.quit()
  }

  disconnect (): void {
    this.#shut()
    this.#conn?.disconnect()
    this.#conn = null
  }

  #shut (): void {
    this.#closed = true
    this.#status = 'end'
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    this.emit('shut')
  }
}
