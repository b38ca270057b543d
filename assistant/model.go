package assistant

// DefaultAnswerThreshold is the probability of being right from which the
// assistant answers with the best article. It was chosen shop against
// shop: with the model fitted on one shop's messages and this threshold,
// the other shop's messages get at most about 4% wrong answers
// (docs/assistant.md).
const DefaultAnswerThreshold = 0.8

// defaultModel was fitted by
//
//	supportd kb fit --set ../shared/eval/kb:../shared/eval/cases.jsonl \
//	  --set ../shared/eval/kb:cmd/supportd/testdata/eval-paraphrases.jsonl \
//	  --set cmd/supportd/demo/kb:cmd/supportd/testdata/demo-cases.jsonl \
//	  --set ../shared/eval/marketplace/kb:../shared/eval/marketplace/cases.jsonl
//
// on 273 retrievals, each knowledge base weighing the same.
var defaultModel = Model{Bias: -2.3338, Weights: [numFeatures]float64{2.4067, -0.2240, 1.5749, 0.2578, 1.2101, 1.8049}}
