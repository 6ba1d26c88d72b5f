// Package live fans the durable event log out to websocket clients and to
// checkpointed consumers (the Telegram and mail notifiers).
//
// The Hub tails the store (feedback.EventStore.Events after the last
// sequence it delivered), so events written by any instance sharing the
// store reach every instance's clients. Publish only wakes it early: on the
// instance that committed an event, delivery starts at once; other
// instances see it at their next poll (HubOptions.PollInterval, 250ms).
// Sequence numbers that are visible out of order (MongoDB without
// transactions) are waited for up to HubOptions.GapGrace (2s) before they
// are presumed burned and skipped.
//
// # Websocket protocol
//
// A client connects to a topic with ?since=<seq> (optional):
//
//  1. The first message is {"type":"hello","head":N}: the stream continues
//     after sequence N.
//  2. With since, every event of the topic with since < seq <= N follows,
//     read from the store, then live events with seq > N, in sequence
//     order, each exactly once. Without since there is no replay.
//  3. Each event is a JSON object in the feedback.Event shape with its
//     "seq"; public topics carry only the public view (PublicView): no
//     internal ids, staff account ids, personal data or internal notes.
//
// The client remembers the highest seq it received (or head, before any
// event) and reconnects with since=<that>. Close codes: 4008 (CloseResume:
// fell behind, or the connection reached its maximum age; reconnect at
// once), 4009 (CloseReload: since is too old to replay; reload over the
// JSON API), 1001 (the instance is stopping; reconnect, maybe elsewhere).
// The server pings every 25s and drops a client silent for 60s.
//
// # Consumers
//
// A Consumer reads the same log from a durable checkpoint and calls a
// Handler once per event across restarts and instances; see Consumer for
// the guarantees and the one remaining window.
package live
