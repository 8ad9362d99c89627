// Record and cohort resolution agree: part 1 of the scenarios (see resolution-agreement.ts).
import { agreementTests } from "./resolution-agreement.js";

agreementTests(0, 3);
