package memstore

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/ddat-workforce/returns/shared/rollup"
	"github.com/ddat-workforce/returns/shared/workforce"
)

var (
	_ workforce.FileStore = (*Bucket)(nil)
	_ rollup.Blobs        = (*Bucket)(nil)
)

// Bucket keeps files by key. The zero value is empty and ready to use.
type Bucket struct {
	mu      sync.Mutex
	objects map[string]Object
}

// Object is a stored file.
type Object struct {
	Body        []byte
	ContentType string
}

// PutUpload stores a file under a key that has none, as the S3 store's conditional put
// does: a key is written once, and a second put of it fails.
func (b *Bucket) PutUpload(_ context.Context, key string, body []byte, contentType string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.objects[key]; ok {
		return fmt.Errorf("put %s: %w", key, fs.ErrExist)
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	if b.objects == nil {
		b.objects = map[string]Object{}
	}
	b.objects[key] = Object{Body: slices.Clone(body), ContentType: contentType}
	return nil
}

// DeleteUpload deletes an uploaded file. Only keys under uploads/ are deleted; deleting a
// key that has no file is not an error, as in S3.
func (b *Bucket) DeleteUpload(_ context.Context, key string) error {
	if !strings.HasPrefix(key, "uploads/") {
		return fmt.Errorf("delete %s: only files under uploads/ are deleted", key)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objects, key)
	return nil
}

// Put stores a generated object (a snapshot or a workbook), written once like an upload.
func (b *Bucket) Put(ctx context.Context, key string, body []byte, contentType string) error {
	return b.PutUpload(ctx, key, body, contentType)
}

// Get reads an object; an error wrapping fs.ErrNotExist when there is none.
func (b *Bucket) Get(_ context.Context, key string) ([]byte, error) {
	o, ok := b.Object(key)
	if !ok {
		return nil, fmt.Errorf("get %s: %w", key, fs.ErrNotExist)
	}
	return o.Body, nil
}

// Object is the file stored under key, for tests to look at.
func (b *Bucket) Object(key string) (Object, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objects[key]
	o.Body = slices.Clone(o.Body)
	return o, ok
}

// Keys lists the keys stored under prefix, in order.
func (b *Bucket) Keys(prefix string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(b.objects)) {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	return keys
}
