import {
  S3Client,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const BUCKET = "synthcoreai-user-uploads";
const s3 = new S3Client({ region: "us-east-1" });

/* Upload a user's file under their own prefix. */
export async function saveUpload(userId: string, body: Buffer): Promise<string> {
  const key = `users/${userId}/${Date.now()}`;
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: `users/${userId}/${Date.now()}`,
      Body: body,
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: "alias/synthcoreai-uploads",
    }),
  );
  return key;
}

export async function exists(key: string): Promise<boolean> {
  const re = /users\/[a-z]+\//g; // a regex with slashes must not confuse the tokenizer
  await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
  return re.test(key);
}

export async function list(prefix: string) {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET })) {
    console.log(page.KeyCount);
  }
  return out;
}

export function downloadLink(key: string) {
  return getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
}

export async function bigUpload(stream: NodeJS.ReadableStream) {
  const upload = new Upload({
    client: s3,
    params: { Bucket: "synthcoreai-exports", Key: "exports/latest.csv", Body: stream },
  });
  await upload.done();
}
