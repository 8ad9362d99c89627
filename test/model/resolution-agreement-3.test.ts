// Record and cohort resolution agree: part 3 of the scenarios (see resolution-agreement.ts).
import { agreementTests } from "./resolution-agreement.js";

agreementTests(2, 3);
