import { useState } from 'react';

/** A command to paste into a terminal, with a button that copies it. */
export function CopyCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy-command">
      <code>{command}</code>{' '}
      <button
        type="button"
        aria-label={`Copy ${command}`}
        onClick={() =>
          void navigator.clipboard?.writeText(command).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
