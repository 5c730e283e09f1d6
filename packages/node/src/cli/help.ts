/** Help texts, one per command; `{bin}` is replaced by the CLI's name. */
export const help: Record<string, string> = {
  main: `{bin} — a Joule node and its tools

Usage: {bin} <command> [options]     ({bin} <command> --help for details)

Commands:
  init              create a home for a one-validator chain
  testnet           create the homes of a local network (validators and full nodes)
  start             run the node of a home
  stop              stop the node running on a home (SIGTERM to the pid in its lock, then wait)
  status            show a node's status
  peers             show a node's peers (/net_info: addresses, directions, scores)
  keys              add, list, show, delete, export or import keys of a home's keyring
  tx                sign and send a transaction (tx bank send …, tx <module> <msg> …)
  query             run a module query (query <module> <query> key=value …), query tx, query block
  export            write the state of a home as a new genesis (upgrades, audits)
  show-node-id      print the node id (for peers' persistent_peers), offline
  show-validator    print the validator's public key (for a genesis or a poa update), offline
  unsafe-reset-all  delete a home's blocks, state, WAL and signer state (keeps config, genesis, keys)
  version           print the version (--long: with Node's and the platform)
{extensions}

Flags go anywhere on the line. The home is --home DIR, else $JOULE_HOME, else ~/.joule.
Exit codes: 0 ok, 1 failure, 2 usage, 3 bad input file, 4 node unreachable, 5 rejected by the node.`,
  init: `Usage: {bin} init [--home DIR] [--chain-id ID] [--moniker NAME] [--authority MODULE=ADDRESS]…

Creates DIR with config/config.toml (the server profile; set [node] profile = "board" on a board), config/genesis.json (this node the
only validator), config/node_key.json and config/validator_key.json (0600), and a keyring key
"operator" funded at genesis. Refuses a DIR that is already a home.
--chain-id  1–50 characters of A–Z a–z 0–9 . _ -; default: a new one, {prefix}-<8 random hex
            digits>, so that no two chains made by init share one (a transaction signed for one
            chain is never valid on another).
--authority the holder of a module's power at genesis, e.g. bank=ADDR (mint and burn), poa=ADDR
            (the validator set), market=ADDR (the market admin); repeatable. Default: the operator.`,
  testnet: `Usage: {bin} testnet --validators V --nodes N --out DIR [--topology mesh|lic] [--base-port P] [--chain-id ID]
       [--authority MODULE=ADDRESS]…

Writes N homes DIR/node0 … DIR/node{N-1} with one genesis; the first V nodes are validators. Node i
listens for peers on 127.0.0.1:P+2i and serves its API on 127.0.0.1:P+2i+1 (P defaults to 26656).
Topology: mesh (everyone peers with everyone) or lic (the grid of the LIC pilot: 2–3 peers each).
Each home's keyring holds a funded key named like the node (node0 holds every module's authority
not given with --authority, as for init).`,
  start: `Usage: {bin} start [--home DIR] [--profile server|board|fast]

Runs the node until SIGTERM or SIGINT (graceful: no new txs, consensus stopped, stores closed);
a second signal exits at once. \`{bin} stop --home DIR\` sends the SIGTERM to the node's own pid
(a node started through npx or npm is not stopped by signalling npm).
--SECTION.KEY VALUE overrides a key of config.toml for this run, e.g. --api.listen 127.0.0.1:36657,
--p2p.persistent_peers ADDR,ADDR (lists comma-separated), --log.level debug; checked as in the file. --profile overrides config.toml's [node] profile (the systemd unit
passes board): every key the file leaves at its profile's default takes the given profile's.`,
  status: `Usage: {bin} status [--node URL | --home DIR]

Prints the node's /status (node id, latest height, app hash, catching-up flag). --node takes
host:port, tcp://host:port or http://host:port; without it, the API of the home's config.`,
  stop: `Usage: {bin} stop [--home DIR] [--timeout SECONDS]

Sends SIGTERM to the node holding DIR's lock (data/LOCK) and waits until it has exited (default
30 s). Prints {"stopped": PID, "seconds": …}; {"running": false} when no node runs on DIR (exit 0).
Exit 1 if the node is still running after --timeout.`,
  peers: `Usage: {bin} peers [--node URL | --home DIR]

Prints the node's /net_info: its listen addresses and, per peer, the node id, the remote address,
the direction (inbound/outbound) and its score.`,
  'show-node-id': `Usage: {bin} show-node-id [--home DIR]

Prints the node id (libp2p peer id 12D3KooW…) of DIR's node key: what other nodes write after
/p2p/ in their [p2p] persistent_peers. Needs no running node.`,
  'show-validator': `Usage: {bin} show-validator [--home DIR]

Prints the validator address and public key (hex) of DIR's validator key, as genesis.json's
validators and a poa validator update take them. Needs no running node.`,
  'unsafe-reset-all': `Usage: {bin} unsafe-reset-all [--home DIR] --yes

Deletes data/db (blocks, state), data/wal, data/signer_state.bin and data/genesis.sha256 of DIR;
keeps config.toml, genesis.json, the node and validator keys and the keyring. The node must be
stopped. Unsafe: a validator that signed at a height and resyncs may sign that height again —
only for a chain started over, or a full node.`,
  version: `Usage: {bin} version [--long]

Prints the version; --long adds the node package's version, Node's and the platform (JSON).`,
  keys: `Usage: {bin} keys add|list|show|delete|export|import [NAME] [FILE] [--home DIR]

  add NAME                create a key in DIR/keyring (0600) and print its address
  list                    list the keys
  show NAME               print a key's address and public key
  export NAME --out FILE  copy the key file to FILE (0600): a backup, or for another home
  import NAME FILE        add the key of FILE (a file of export) as NAME
  delete NAME --yes       delete the key file (export it first: it may be the only copy)

Keys are stored unencrypted (0600, the home 0700), so a board restarts unattended.`,
  tx: `Usage: {bin} tx bank send FROM TO AMOUNT [--home DIR] [--node URL] [--memo TEXT] [--sync]
       {bin} tx bank send TO AMOUNT --from KEY …
       {bin} tx <module> <msg> --from KEY --args JSON [--home DIR] [--node URL] [--memo TEXT] [--sync]
       {bin} tx <module> <msg> --help      (the message's fields: name, required or optional, type)

Signs locally with keyring key FROM (the nonce comes from the node) and sends the tx. Waits for the
block unless --sync. TO is an address or a key name; AMOUNT is 5ujoule (or 5 ujoule). <msg> is the
message type's name after "<module>/" (bank/multi_send: tx bank multi_send). --args gives the
message fields as a JSON object in snake_case (addresses in bech32 or key names, amounts as decimal
strings); a field the message does not have is refused.`,
  query: `Usage: {bin} query <module> <query> [field=value …] [--node URL | --home DIR] [--from KEY --home DIR] [--verify HEIGHT:HASH]
       {bin} query <module> <query> --help      (the query's fields)
       {bin} query tx HASH | query block [HEIGHT]

Runs a module query, e.g. \`{bin} query bank balance address=alice denom=ujoule\` (an address, or a
key name of the home's keyring); a field the query does not take is refused; prints JSON with
snake_case fields. An authenticated query (e.g.
\`{bin} query market get_energy_measure meter_id=m1 ts_start=… signal=consumption\`)
is signed with keyring key KEY of DIR, timestamped at the node's last block time.
With --verify, a light client trusting header HASH at HEIGHT (14-day trust period) verifies the
newest header, checks the proof of every key the query read against its app hash, and runs the
query again on the proven state; prints { height, verified, result } or a LIGHT_* error.`,
  export: `Usage: {bin} export [--home DIR] [--out FILE]

Writes the committed state of the (stopped) node as a genesis.json for a new chain starting at the
next height: every module's app_state, the current validators, the last block time.`,
};
