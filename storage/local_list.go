package storage

import (
	"context"
	"io/fs"
	"path"
	"strings"
	"time"
)

var _ Lister = (*Local)(nil)

// ListOlder walks the object files under prefix; see Lister. Directories
// removed during the walk (by a concurrent DeletePrefix) are skipped.
func (l *Local) ListOlder(ctx context.Context, prefix string, before time.Time, fn func(Info) error) error {
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix != "" {
		if err := checkLocalKey(prefix); err != nil {
			return err
		}
	}
	var fnErr error
	dir := path.Join(objectsDir, prefix)
	err := fs.WalkDir(l.root.FS(), dir, func(name string, d fs.DirEntry, err error) error {
		if isNotExist(err) {
			return nil
		} else if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() || name == dir { // an object named prefix is not under it
			return nil
		}
		st, err := d.Info()
		if isNotExist(err) {
			return nil
		} else if err != nil {
			return err
		}
		if !st.ModTime().Before(before) {
			return nil
		}
		fnErr = fn(Info{Key: strings.TrimPrefix(name, objectsDir+"/"), Size: st.Size(), ModTime: st.ModTime()})
		return fnErr
	})
	if fnErr != nil || ctx.Err() != nil {
		return err
	}
	if err != nil {
		return fail("list", prefix, err)
	}
	return nil
}
