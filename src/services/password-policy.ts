// What a password must be: 12 characters or more, and not guessable (zxcvbn's score of 3 or more, with its
// bundled lists of common passwords, names and words; nothing is fetched). Loaded on first use: the
// dictionaries cost ~200 ms that a process which never sets a password should not pay at start-up.
import { AppError } from './errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
const MIN_SCORE = 3;

type Checker = (
  password: string,
  userInputs: string[],
) => { score: number; warning: string | null; suggestions: string[] };
let checker: Promise<Checker> | undefined;

async function loadChecker(): Promise<Checker> {
  const [{ ZxcvbnFactory }, common] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
  ]);
  const zxcvbn = new ZxcvbnFactory({
    dictionary: { ...common.dictionary },
    graphs: common.adjacencyGraphs,
  });
  return (password, userInputs) => {
    const r = zxcvbn.check(password, userInputs);
    return { score: r.score, warning: r.feedback.warning, suggestions: r.feedback.suggestions };
  };
}

/** Throws 400 weak_password, saying why, unless the password is long and strong enough. */
export async function requireStrongPassword(password: string, userInputs: string[] = []): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(
      400,
      'weak_password',
      `The password needs at least ${MIN_PASSWORD_LENGTH} characters; a few unrelated words make a good one.`,
    );
  }
  checker ??= loadChecker();
  const { score, warning } = (await checker)(password, userInputs);
  if (score < MIN_SCORE) {
    throw new AppError(
      400,
      'weak_password',
      `This password is too easy to guess${warning ? ` (${warningWords(warning)})` : ''}: add a few unrelated words.`,
    );
  }
}

/** zxcvbn's warnings are keys (its translations are another package): a few words each. */
function warningWords(key: string): string {
  const words: Record<string, string> = {
    topTen: 'it is one of the most used passwords',
    topHundred: 'it is among the most used passwords',
    common: 'it is a common password',
    similarToCommon: 'it is close to a common password',
    wordByItself: 'a single word is easy to guess',
    namesByThemselves: 'names alone are easy to guess',
    commonNames: 'common names are easy to guess',
    userInputs: 'it contains your name or email',
    straightRow: 'it is a row of keys',
    keyPattern: 'it is a keyboard pattern',
    simpleRepeat: 'it repeats characters',
    extendedRepeat: 'it repeats a pattern',
    sequences: 'it is a sequence like abc or 123',
    recentYears: 'it contains a recent year',
    dates: 'it contains a date',
  };
  return words[key] ?? 'it follows a common pattern';
}
