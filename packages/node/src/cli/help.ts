/** Help texts, one per command; `{bin}` is replaced by the CLI's name. */
export const help: Record<string, string> = {
  main: `{bin} — a Joule node and its tools

Usage: {bin} <command> [options]     ({bin} <command> --help for details)

Commands:
  init      create a home for a one-validator chain
  testnet   create the homes of a local network (validators and full nodes)
  start     run the node of a home
  status    show a node's status
  keys      add, list or show keys of a home's keyring
  tx        sign and send a transaction (tx bank send …, tx <module> <msg> …)
  query     run a module query (query <module> <query> key=value …)
  export    write the state of a home as a new genesis (upgrades, audits)
{extensions}

Exit codes: 0 ok, 1 failure, 2 usage, 3 bad input file, 4 node unreachable, 5 rejected by the node.`,
  init: `Usage: {bin} init --home DIR [--chain-id ID] [--moniker NAME] [--authority MODULE=ADDRESS]…

Creates DIR with config/config.toml (the server profile; set [node] profile = "board" on a board), config/genesis.json (this node the
only validator), config/node_key.json and config/validator_key.json (0600), and a keyring key
"operator" funded at genesis. Refuses a DIR that is already a home.
--chain-id  default: a new one, {prefix}-<8 random hex digits>, so that no two chains made by init
            share one (a transaction signed for one chain is never valid on another).
--authority the holder of a module's power at genesis, e.g. bank=ADDR (mint and burn), poa=ADDR
            (the validator set), market=ADDR (the market admin); repeatable. Default: the operator.`,
  testnet: `Usage: {bin} testnet --validators V --nodes N --out DIR [--topology mesh|lic] [--base-port P] [--chain-id ID]
       [--authority MODULE=ADDRESS]…

Writes N homes DIR/node0 … DIR/node{N-1} with one genesis; the first V nodes are validators. Node i
listens for peers on 127.0.0.1:P+2i and serves its API on 127.0.0.1:P+2i+1 (P defaults to 26656).
Topology: mesh (everyone peers with everyone) or lic (the grid of the LIC pilot: 2–3 peers each).
Each home's keyring holds a funded key named like the node (node0 holds every module's authority
not given with --authority, as for init).`,
  start: `Usage: {bin} start --home DIR [--profile server|board|fast]

Runs the node until SIGTERM or SIGINT (graceful: no new txs, consensus stopped, stores closed);
a second signal exits at once. --profile overrides config.toml's [node] profile (the systemd unit
passes board): every key the file leaves at its profile's default takes the given profile's.`,
  status: `Usage: {bin} status [--node URL | --home DIR]

Prints the node's /status (node id, latest height, app hash, catching-up flag).`,
  keys: `Usage: {bin} keys add|list|show [NAME] --home DIR

  add NAME   create a key in DIR/keyring (0600) and print its address
  list       list the keys
  show NAME  print a key's address and public key`,
  tx: `Usage: {bin} tx bank send FROM TO AMOUNT DENOM --home DIR [--node URL] [--memo TEXT] [--sync]
       {bin} tx <module> <msg> --from KEY --args JSON --home DIR [--node URL] [--memo TEXT] [--sync]

Signs locally with keyring key FROM (the nonce comes from the node) and sends the tx. Waits for the
block unless --sync. TO is an address or a key name. --args gives the message fields as JSON
(addresses in bech32, amounts as decimal strings).`,
  query: `Usage: {bin} query <module> <query> [field=value …] [--node URL | --home DIR] [--from KEY --home DIR] [--verify HEIGHT:HASH]

Runs a module query, e.g. \`{bin} query bank balance address=joule1… denom=ujoule\`; prints JSON.
An authenticated query (e.g. \`{bin} query market getEnergyMeasure meterId=m1 tsStart=… signal=consumption\`)
is signed with keyring key KEY of DIR, timestamped at the node's last block time.
With --verify, a light client trusting header HASH at HEIGHT (14-day trust period) verifies the
newest header, checks the proof of every key the query read against its app hash, and runs the
query again on the proven state; prints { height, verified, result } or a LIGHT_* error.`,
  export: `Usage: {bin} export --home DIR [--out FILE]

Writes the committed state of the (stopped) node as a genesis.json for a new chain starting at the
next height: every module's app_state, the current validators, the last block time.`,
};
