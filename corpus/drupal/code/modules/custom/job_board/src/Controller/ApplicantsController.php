<?php

declare(strict_types=1);

namespace Drupal\job_board\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Link;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Url;
use Drupal\job_board\ApplicationStorageInterface;
use Drupal\job_board\JobListingRepository;
use Drupal\node\NodeInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpFoundation\RedirectResponse;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Shows recruiters the applications received for a job posting.
 */
final class ApplicantsController extends ControllerBase {

  /**
   * Constructs a new ApplicantsController object.
   */
  public function __construct(
    private readonly ApplicationStorageInterface $applications,
    private readonly DateFormatterInterface $dateFormatter,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('job_board.application_storage'),
      $container->get('date.formatter'),
    );
  }

  /**
   * Lists the applications that have not been archived yet.
   */
  public function overview(NodeInterface $node): array {
    $this->assertPosting($node);
    $rows = [];
    foreach ($this->applications->loadByJob((int) $node->id()) as $application) {
      $archive = Url::fromRoute('job_board.application_archive', [
        'node' => $node->id(),
        'application' => $application->id,
      ]);
      $rows[] = [
        $application->name,
        Link::fromTextAndUrl($application->mail, Url::fromUri('mailto:' . $application->mail)),
        $this->dateFormatter->format((int) $application->created, 'short'),
        Link::fromTextAndUrl($this->t('Archive'), $archive),
      ];
    }
    return [
      '#type' => 'table',
      '#header' => [$this->t('Name'), $this->t('Email'), $this->t('Applied'), $this->t('Operations')],
      '#rows' => $rows,
      '#empty' => $this->t('No open applications for this posting.'),
      '#cache' => ['max-age' => 0],
    ];
  }

  /**
   * Archives one application and returns to the applicant list.
   */
  public function archive(NodeInterface $node, int $application): RedirectResponse {
    $this->assertPosting($node);
    $this->applications->archive($application);
    $this->messenger()->addStatus($this->t('The application has been archived.'));
    return $this->redirect('job_board.applicants', ['node' => $node->id()]);
  }

  /**
   * Title callback for the applicant list.
   */
  public function title(NodeInterface $node): TranslatableMarkup {
    return $this->t('Applicants for %job', ['%job' => $node->label()]);
  }

  /**
   * Rejects nodes that are not job postings.
   */
  private function assertPosting(NodeInterface $node): void {
    if ($node->bundle() !== JobListingRepository::BUNDLE) {
      throw new NotFoundHttpException();
    }
  }

}
