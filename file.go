package phonoglyph

import "time"

// FileKind is a file's category (file_metadata.file_type). The upload rules
// of each kind live in package filetype; the object keys in package
// objectkey.
type FileKind string

// The file kinds.
const (
	FileMIDI  FileKind = "midi"
	FileAudio FileKind = "audio"
	FileVideo FileKind = "video"
	FileImage FileKind = "image"
)

// FileKinds lists every file kind.
var FileKinds = []FileKind{FileMIDI, FileAudio, FileVideo, FileImage}

// UploadStatus is where the upload of a file's bytes stands:
// uploading → completed | failed.
type UploadStatus string

// The upload statuses of a file row.
const (
	UploadUploading UploadStatus = "uploading"
	UploadCompleted UploadStatus = "completed"
	UploadFailed    UploadStatus = "failed"
)

// File is the metadata of one stored object owned by a user
// (table file_metadata).
type File struct {
	ID           string       `json:"id"`
	UserID       string       `json:"user_id"`
	ProjectID    *string      `json:"project_id"`
	ParentFileID *string      `json:"parent_file_id"`
	FileName     string       `json:"file_name"`
	FileType     FileKind     `json:"file_type"`
	MimeType     string       `json:"mime_type"`
	FileSize     int64        `json:"file_size"`
	Key          string       `json:"s3_key"`
	UploadStatus UploadStatus `json:"upload_status"`
	UploadError  *string      `json:"upload_error"`
	IsMaster     bool         `json:"is_master"`
	StemType     *StemType    `json:"stem_type"`
	ThumbnailKey *string      `json:"thumbnail_key"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// AnalysisStem is the stem type an analysis of this file is filed under:
// the row's stem_type, or master.
func (f *File) AnalysisStem() StemType {
	if f.StemType != nil && *f.StemType != "" {
		return *f.StemType
	}
	return StemMaster
}
