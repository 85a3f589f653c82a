package phonoglyph

import "time"

// Upload statuses of a file row.
const (
	UploadUploading = "uploading"
	UploadCompleted = "completed"
	UploadFailed    = "failed"
)

// StemMaster is the stem type used for an original (non-separated) track.
const StemMaster = "master"

// File is the metadata of one stored object owned by a user
// (table file_metadata).
type File struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	ProjectID    *string   `json:"project_id"`
	ParentFileID *string   `json:"parent_file_id"`
	FileName     string    `json:"file_name"`
	FileType     string    `json:"file_type"`
	MimeType     string    `json:"mime_type"`
	FileSize     int64     `json:"file_size"`
	Key          string    `json:"s3_key"`
	UploadStatus string    `json:"upload_status"`
	UploadError  *string   `json:"upload_error"`
	IsMaster     bool      `json:"is_master"`
	StemType     *string   `json:"stem_type"`
	ThumbnailKey *string   `json:"thumbnail_key"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// AnalysisStem is the stem type an analysis of this file is filed under:
// the row's stem_type, or master.
func (f *File) AnalysisStem() string {
	if f.StemType != nil && *f.StemType != "" {
		return *f.StemType
	}
	return StemMaster
}
