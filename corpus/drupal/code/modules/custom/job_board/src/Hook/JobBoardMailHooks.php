<?php

declare(strict_types=1);

namespace Drupal\job_board\Hook;

use Drupal\Core\Hook\Attribute\Hook;
use Drupal\Core\StringTranslation\StringTranslationTrait;
use Drupal\Core\StringTranslation\TranslationInterface;
use Drupal\Core\Url;

/**
 * Builds the email recruiters receive when a candidate applies.
 */
final class JobBoardMailHooks {

  use StringTranslationTrait;

  /**
   * Constructs a new JobBoardMailHooks object.
   */
  public function __construct(TranslationInterface $string_translation) {
    $this->setStringTranslation($string_translation);
  }

  /**
   * Fills in the subject and body of the job board's messages.
   */
  #[Hook('mail')]
  public function mail(string $key, array &$message, array $params): void {
    if ($key !== 'new_application') {
      return;
    }
    /** @var \Drupal\node\NodeInterface $job */
    $job = $params['job'];
    $options = ['langcode' => $message['langcode']];
    $message['subject'] = $this->t('New application for @job', ['@job' => $job->label()], $options);
    $message['body'][] = $this->t('@name applied for @job.', ['@name' => $params['name'], '@job' => $job->label()], $options);
    $message['body'][] = $this->t('Review the applicants at @url', [
      '@url' => Url::fromRoute('job_board.applicants', ['node' => $job->id()], ['absolute' => TRUE])->toString(),
    ], $options);
  }

}
