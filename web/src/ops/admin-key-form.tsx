import { type FormEvent, useState } from 'react'
import { ErrorNotice } from '../components/error-notice.tsx'

/** Asks for the admin API key; it is kept for this tab only. */
export function AdminKeyForm ({ onKey, error }: { onKey: (key: string) => void, error: unknown }) {
  const [key, setKey] = useState('')
  const [missing, setMissing] = useState(false)
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    if (key.trim() === '') { setMissing(true); return }
    onKey(key.trim())
  }
  return (
    <form className='panel key-form' onSubmit={submit} noValidate>
      <h2 className='panel__title'>Admin key required</h2>
      <p className='muted'>The operations summary is for operators. The key stays in this browser tab and is forgotten when you close it.</p>
      {error !== undefined && <ErrorNotice error={error} compact headline='That key was not accepted.' />}
      <label htmlFor='admin-key'>Admin API key</label>
      <div className='url-form__row'>
        <input
          id='admin-key' type='password' autoComplete='off' spellCheck={false} value={key}
          onChange={(e) => { setKey(e.target.value); setMissing(false) }}
          aria-invalid={missing} aria-describedby={missing ? 'admin-key-missing' : undefined}
        />
        <button type='submit' className='button button--primary'>Open dashboard</button>
      </div>
      {missing && <p className='field-error' id='admin-key-missing' role='alert'>Enter the key first.</p>}
    </form>
  )
}
