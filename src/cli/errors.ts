// Errors in what a user gave a command (flags, files): printed without a stack trace, exit code 2.

/** A problem in a command's input that is not a scenario file's (those are ScenarioErrors). */
export class UserInputError extends Error {
  override name = "UserInputError";
}
