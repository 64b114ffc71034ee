import { useEffect, useState } from 'react'
import type { ImageSource } from '../api/types.ts'
import { formatBytes } from '../format.ts'

/**
 * The image being classified. A URL's image is not loaded here (the page contacts nothing but the
 * gateway, and the CSP says so), and a file the browser cannot show gets a plain tile.
 */
export function ImagePreview ({ image, onClear }: { image: ImageSource, onClear: () => void }) {
  const [src, setSrc] = useState<string | undefined>()
  const [broken, setBroken] = useState(false)
  const showable = image.kind === 'file' && image.file.type.startsWith('image/')
  useEffect(() => {
    setBroken(false)
    if (image.kind !== 'file' || !image.file.type.startsWith('image/')) return
    const objectUrl = URL.createObjectURL(image.file)
    setSrc(objectUrl)
    return () => { URL.revokeObjectURL(objectUrl); setSrc(undefined) }
  }, [image])

  return (
    <figure className='preview'>
      {showable && !broken && (
        <div className='preview__frame'>
          {src !== undefined && <img src={src} alt={`The image being classified: ${image.name}`} onError={() => setBroken(true)} />}
        </div>
      )}
      {image.kind === 'file' && (!showable || broken) && (
        <div className='preview__frame preview__frame--file'>
          <svg viewBox='0 0 24 24' aria-hidden='true'><path d='M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5' /></svg>
          <span>{image.file.type === '' ? 'File of unknown type' : `${image.file.type} file`}, no preview</span>
        </div>
      )}
      {image.kind === 'url' && (
        <div className='preview__frame preview__frame--url'>
          <svg viewBox='0 0 24 24' aria-hidden='true'><path d='M10 14a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1M14 10a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1' /></svg>
          <span>Fetched by the model service</span>
        </div>
      )}
      <figcaption className='preview__caption'>
        <span className='preview__name' title={image.kind === 'file' ? image.name : image.url}>
          {image.kind === 'file' ? image.name : image.url}
        </span>
        {image.kind === 'file' && <span className='muted'>{formatBytes(image.file.size)}</span>}
        <button type='button' className='button button--ghost button--small' onClick={onClear}>Clear</button>
      </figcaption>
    </figure>
  )
}
