/**
 * An incremental structural checker for one JSON text (RFC 8259) fed line by line. It knows when a
 * top-level value closes, so a multi-line document is parsed once, when complete (linear time), and
 * it notices the first line that can not continue the document, so one truncated JSONL line does
 * not swallow the rest of a log. It checks structure only (brackets, commas, colons, keys, string
 * boundaries); JSON.parse checks literals, numbers and escapes at the end.
 */

const enum Expect {
  /** A value: the document start, after `:` or after `,` in an array. */
  Value,
  /** A value or `]`: right after `[`. */
  ValueOrClose,
  /** A key or `}`: right after `{`. */
  KeyOrClose,
  /** A key: after `,` in an object. */
  Key,
  Colon,
  /** `,` or the container's closing bracket. */
  CommaOrClose,
  /** Only whitespace: the top-level value is complete. */
  End,
}

export type ScanState = 'open' | 'closed' | 'error';

/** Containers nested deeper than this are refused outright (the stack is the scanner's only memory). */
const MAX_SCAN_DEPTH = 100_000;

export class JsonStructureScanner {
  private expect = Expect.Value;
  /** 1 = object, 0 = array, per open container. */
  private stack: number[] = [];
  private inString = false;
  private stringIsKey = false;
  private escaped = false;
  private inBare = false;
  /** Deepest nesting seen. */
  maxDepth = 0;
  /** Why the text can not be JSON, once state is 'error'. */
  error = '';
  state: ScanState = 'open';

  reset(): void {
    this.expect = Expect.Value;
    this.stack.length = 0;
    this.inString = false;
    this.escaped = false;
    this.inBare = false;
    this.maxDepth = 0;
    this.error = '';
    this.state = 'open';
  }

  /** Feeds one physical line (without its terminator); `lineNo` is used in error messages only. */
  feedLine(text: string, lineNo: number): ScanState {
    if (this.state === 'error') return this.state;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          this.expect = this.stringIsKey ? Expect.Colon : this.afterValue();
        }
        continue;
      }
      if (this.inBare) {
        if (isBareChar(c)) continue;
        this.inBare = false;
        this.expect = this.afterValue();
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) continue;
      if (!this.step(c)) return this.fail(lineNo, i, c);
    }
    // RFC 8259 §7: a string can not hold a raw line break, so a line ending inside one is broken.
    if (this.inString) {
      this.state = 'error';
      this.error = `unterminated string at end of line ${lineNo}`;
      return this.state;
    }
    if (this.inBare) {
      this.inBare = false;
      this.expect = this.afterValue();
    }
    this.state = this.expect === Expect.End ? 'closed' : 'open';
    return this.state;
  }

  /** One significant character outside strings and bare literals; false when it can not appear here. */
  private step(c: number): boolean {
    switch (this.expect) {
      case Expect.Value:
      case Expect.ValueOrClose:
        if (c === 0x5d && this.expect === Expect.ValueOrClose) return this.close(0);
        return this.startValue(c);
      case Expect.KeyOrClose:
      case Expect.Key:
        if (c === 0x7d && this.expect === Expect.KeyOrClose) return this.close(1);
        if (c !== 0x22) return false;
        this.inString = true;
        this.stringIsKey = true;
        return true;
      case Expect.Colon:
        if (c !== 0x3a) return false;
        this.expect = Expect.Value;
        return true;
      case Expect.CommaOrClose: {
        const top = this.stack[this.stack.length - 1];
        if (c === 0x2c) {
          this.expect = top === 1 ? Expect.Key : Expect.Value;
          return true;
        }
        if (c === 0x7d) return this.close(1);
        if (c === 0x5d) return this.close(0);
        return false;
      }
      default:
        return false; // Expect.End: anything but whitespace after the document
    }
  }

  private startValue(c: number): boolean {
    if (c === 0x7b || c === 0x5b) {
      if (this.stack.length >= MAX_SCAN_DEPTH) return false;
      this.stack.push(c === 0x7b ? 1 : 0);
      if (this.stack.length > this.maxDepth) this.maxDepth = this.stack.length;
      this.expect = c === 0x7b ? Expect.KeyOrClose : Expect.ValueOrClose;
      return true;
    }
    if (c === 0x22) {
      this.inString = true;
      this.stringIsKey = false;
      return true;
    }
    if (isBareChar(c)) {
      this.inBare = true;
      return true;
    }
    return false;
  }

  private close(kind: number): boolean {
    if (this.stack.length === 0 || this.stack[this.stack.length - 1] !== kind) return false;
    this.stack.pop();
    this.expect = this.afterValue();
    return true;
  }

  private afterValue(): Expect {
    return this.stack.length === 0 ? Expect.End : Expect.CommaOrClose;
  }

  private fail(lineNo: number, index: number, c: number): ScanState {
    this.state = 'error';
    const what = this.stack.length === 0 && this.expect === Expect.End ? 'after the end of the JSON value' : `(expected ${EXPECT_NAMES[this.expect]})`;
    this.error = `unexpected ${JSON.stringify(String.fromCharCode(c))} at line ${lineNo} column ${index + 1} ${what}`;
    if (this.stack.length >= MAX_SCAN_DEPTH) this.error = `JSON nested deeper than ${MAX_SCAN_DEPTH} levels at line ${lineNo}`;
    return this.state;
  }
}

const EXPECT_NAMES = ['a value', 'a value or "]"', 'a key or "}"', 'a key', '":"', '"," or a closing bracket', 'the end'];

/** Characters of numbers and the literals true/false/null (validated later by JSON.parse). */
function isBareChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x2b || c === 0x2e;
}
