import { type DragEvent, type FormEvent, useEffect, useId, useState } from 'react'
import type { ImageSource } from '../api/types.ts'

interface ImageInputProps {
  onImage: (image: ImageSource) => void
  disabled: boolean
}

/** Every way to give an image: drop, file picker, paste (anywhere on the page), or a URL. */
export function ImageInput ({ onImage, disabled }: ImageInputProps) {
  const [dragging, setDragging] = useState(false)
  const [url, setUrl] = useState('')
  const [urlError, setUrlError] = useState<string | undefined>()
  const ids = useId()

  useEffect(() => {
    const onPaste = (event: ClipboardEvent): void => {
      const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'))
      if (file === undefined || disabled) return
      event.preventDefault()
      onImage({ kind: 'file', file, name: file.name || 'pasted image' })
    }
    window.addEventListener('paste', onPaste)
    return () => window.removeEventListener('paste', onPaste)
  }, [onImage, disabled])

  const onDrop = (event: DragEvent<HTMLDivElement>): void => {
    event.preventDefault()
    setDragging(false)
    const file = event.dataTransfer.files[0]
    if (file !== undefined && !disabled) onImage({ kind: 'file', file, name: file.name })
  }

  const onSubmitUrl = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    const value = url.trim()
    if (!/^https?:\/\/\S+$/i.test(value)) {
      setUrlError('Enter an address starting with http:// or https://.')
      return
    }
    setUrlError(undefined)
    onImage({ kind: 'url', url: value })
  }

  return (
    <section className='panel image-input' aria-labelledby={`${ids}-title`}>
      <h2 className='panel__title' id={`${ids}-title`}><span className='step' aria-hidden='true'>2</span>Give an image</h2>
      <div
        className={`dropzone${dragging ? ' dropzone--active' : ''}`}
        onDragOver={(e) => { e.preventDefault(); setDragging(true) }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <svg className='dropzone__icon' viewBox='0 0 48 48' aria-hidden='true'>
          <rect x='6' y='9' width='36' height='30' rx='5' />
          <circle cx='17' cy='19' r='3.5' />
          <path d='m6 33 11-10 9 8 6-5 10 9' />
        </svg>
        <p className='dropzone__lead'>Drop an image here</p>
        <p className='dropzone__alt'>or paste it from the clipboard, or</p>
        <input
          id={`${ids}-file`} className='visually-hidden file-input' type='file' accept='image/*' disabled={disabled}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0]
            if (file !== undefined) onImage({ kind: 'file', file, name: file.name })
            e.currentTarget.value = ''
          }}
        />
        <label htmlFor={`${ids}-file`} className='button button--primary'>Choose a file</label>
        <p className='dropzone__formats'>JPEG, PNG, WebP, GIF or AVIF</p>
      </div>
      <form className='url-form' onSubmit={onSubmitUrl} noValidate>
        <label htmlFor={`${ids}-url`}>Or classify an image from the web</label>
        <div className='url-form__row'>
          <input
            id={`${ids}-url`} type='url' inputMode='url' placeholder='https://example.com/photo.jpg' value={url}
            onChange={(e) => setUrl(e.target.value)} aria-invalid={urlError !== undefined}
            aria-describedby={urlError === undefined ? undefined : `${ids}-url-error`} disabled={disabled}
          />
          <button type='submit' className='button' disabled={disabled}>Classify URL</button>
        </div>
        {urlError !== undefined && <p className='field-error' id={`${ids}-url-error`} role='alert'>{urlError}</p>}
      </form>
    </section>
  )
}
