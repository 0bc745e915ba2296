// Package workflows holds tingting's Temporal workflows. What callers may
// know of them (names, ids, inputs, errors) is in package contract.
//
// A change to a workflow that is deployed ships behind workflow.GetVersion
// and keeps every history in testdata/ replaying: docs/DECISIONS.md, "How a
// workflow change ships".
package workflows
