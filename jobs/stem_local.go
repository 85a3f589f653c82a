package jobs

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"phonoglyph"
	"phonoglyph/dsp"
	"phonoglyph/objectkey"
	"phonoglyph/runpod"
	"phonoglyph/separate"
	"phonoglyph/storage"
)

// local separates on this worker with the embedded separator.
func (w *stemWork) local(ctx context.Context, run *Run, row *phonoglyph.StemJob, source *phonoglyph.File) error {
	format := row.Config.Quality.OutputFormat
	rate, err := strconv.Atoi(row.Config.Quality.SampleRate)
	if err != nil {
		return Failf("The sample rate %q is not a number.", row.Config.Quality.SampleRate)
	}
	wanted := map[string]bool{}
	for _, s := range row.Config.WantedStems() {
		wanted[string(s)] = true
	}
	dir, err := os.MkdirTemp("", "stems-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The separator reads WAV: decode whatever was uploaded into one first.
	rc, _, err := w.deps.openInput(ctx, source.Key)
	if err != nil {
		return err
	}
	wav := filepath.Join(dir, "source.wav")
	release, err := transcodeWAV(rc, source.FileName, wav, w.deps.AudioLimits, w.deps.Temp, len(wanted))
	rc.Close()
	if errors.Is(err, dsp.ErrInvalid) || errors.Is(err, dsp.ErrNeedFFmpeg) {
		return Failf("The audio file could not be separated: %v.", err)
	} else if err != nil {
		return err
	}
	defer release()
	src, err := os.Open(wav)
	if err != nil {
		return err
	}
	defer src.Close()
	written := map[string]string{} // stem → temp file; the separator closes its writers
	open := func(stem string) (io.WriteCloser, error) {
		if !wanted[stem] {
			return nopWriteCloser{io.Discard}, nil
		}
		f, err := os.CreateTemp(dir, stem+"-*."+format)
		if err == nil {
			written[stem] = f.Name()
		}
		return f, err
	}
	last := 0
	progress := func(p float64) {
		if pct := int(p * 90); pct >= last+5 {
			last = pct
			run.Progress(ctx, pct)
		}
	}
	err = w.deps.Stems.LocalSeparate(ctx, src, row.Config.ModelVariant, rate, format, open, progress)
	if errors.Is(err, dsp.ErrInvalid) {
		return Failf("The audio file could not be separated: %v.", err)
	} else if errors.Is(err, separate.ErrNeedFFmpeg) || errors.Is(err, separate.ErrFormat) {
		return Failf("The stems could not be written: %v.", err)
	} else if err != nil {
		return err
	}
	// No URL is signed for a local separation: its stems go straight to
	// their sealed keys.
	keys := map[phonoglyph.StemType]string{}
	for stem, name := range written {
		key := objectkey.SealedStem(row.UserID, row.ID, phonoglyph.StemType(stem), format)
		run.Owns(key)
		if err := putFile(ctx, w.deps.Blobs, name, key, runpod.ContentType(format)); err != nil {
			return err
		}
		keys[phonoglyph.StemType(stem)] = key
	}
	return w.finish(ctx, run, row, source, keys)
}

// putFile stores a local file (streamed; multipart on S3 when large).
func putFile(ctx context.Context, blobs storage.Blobs, name, key, contentType string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	return blobs.Put(ctx, key, f, info.Size(), contentType)
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
