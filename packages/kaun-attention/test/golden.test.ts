// The PyTorch float64 references of ../shared/fixtures/attention_golden.json on the CPU backend (the current one).
import { describeAttentionGolden } from "../src/testing/index.js";

describeAttentionGolden("cpu");
