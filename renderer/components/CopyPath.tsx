// A path on the fleet's machine, shown read-only (select it whole with a click) with a Copy button.
import { useRef, useState } from 'react';

async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (the desktop app denies permissions): copy the selection instead.
    if (!input) return false;
    input.focus();
    input.select();
    return document.execCommand('copy');
  }
}

export function CopyPath({ path, label, testId }: { path: string; label?: string; testId?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  return (
    <div className="copy-path">
      {label ? <span className="copy-path-label">{label}</span> : null}
      <input
        ref={input}
        type="text"
        readOnly
        className="mono copy-path-input"
        value={path}
        title={path}
        spellCheck={false}
        data-testid={testId}
        onFocus={(e) => e.currentTarget.select()}
      />
      <button
        type="button"
        className="btn btn-ghost"
        title="Copy the path"
        onClick={() =>
          void copyText(path, input.current).then((ok) => {
            setCopied(ok ? 'yes' : 'no');
            setTimeout(() => setCopied(null), 1500);
          })
        }
      >
        {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Select + Ctrl-C' : 'Copy'}
      </button>
    </div>
  );
}
