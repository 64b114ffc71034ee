import { describeError } from '../api/problem.ts'

/** A failure in words: headline, the server's detail, what to do, and the id to quote. */
export function ErrorNotice ({ error, compact = false, headline }: { error: unknown, compact?: boolean, headline?: string }) {
  const message = describeError(error)
  if (headline !== undefined) message.headline = headline
  return (
    <div className={`notice notice--error${compact ? ' notice--compact' : ''}`} role='alert'>
      <svg className='notice__icon' viewBox='0 0 20 20' aria-hidden='true'>
        <circle cx='10' cy='10' r='8.5' />
        <path d='M10 5.5v5.5M10 13.8v.2' />
      </svg>
      <div>
        <p className='notice__headline'>{message.headline}</p>
        {message.detail !== undefined && <p className='notice__detail'>{message.detail}</p>}
        {message.hint !== undefined && <p className='notice__hint'>{message.hint}</p>}
        {message.requestId !== undefined && <p className='notice__ref'>Request id <code>{message.requestId}</code></p>}
      </div>
    </div>
  )
}
