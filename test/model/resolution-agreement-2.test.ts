// Record and cohort resolution agree: part 2 of the scenarios (see resolution-agreement.ts).
import { agreementTests } from "./resolution-agreement.js";

agreementTests(1, 3);
