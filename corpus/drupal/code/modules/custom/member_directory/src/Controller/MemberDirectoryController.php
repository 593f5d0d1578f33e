<?php

declare(strict_types=1);

namespace Drupal\member_directory\Controller;

use Drupal\Core\Controller\ControllerBase;
use Drupal\member_directory\DirectoryVisibility;
use Drupal\member_directory\Form\MemberSearchForm;
use Drupal\member_directory\MemberCardBuilder;
use Drupal\member_directory\MemberSearchInterface;
use Drupal\user\UserInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;
use Symfony\Component\HttpFoundation\RequestStack;
use Symfony\Component\HttpKernel\Exception\NotFoundHttpException;

/**
 * Shows the searchable member directory and single member cards.
 */
class MemberDirectoryController extends ControllerBase {

  public function __construct(
    protected readonly MemberSearchInterface $memberSearch,
    protected readonly MemberCardBuilder $cardBuilder,
    protected readonly DirectoryVisibility $visibility,
    protected readonly RequestStack $requestStack,
  ) {}

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('member_directory.search'),
      $container->get('member_directory.card_builder'),
      $container->get('member_directory.visibility'),
      $container->get('request_stack'),
    );
  }

  /**
   * Lists the members matching the search keywords, one page at a time.
   */
  public function listing(): array {
    $keywords = (string) $this->requestStack->getCurrentRequest()->query->get('keywords', '');
    $members = $this->memberSearch->search($keywords);
    $cards = array_map(fn (UserInterface $member): array => $this->cardBuilder->build($member), $members);

    $build['search'] = $this->formBuilder()->getForm(MemberSearchForm::class);
    $build['results'] = [
      '#type' => 'component',
      '#component' => 'member_directory:member-grid',
      '#props' => [
        'label' => $keywords === ''
          ? $this->t('All members')
          : $this->t('Members matching %keywords', ['%keywords' => $keywords]),
        'columns' => 3,
      ],
      '#slots' => [
        'cards' => $cards ?: ['#plain_text' => $this->t('No members match your search.')],
      ],
    ];
    $build['pager'] = ['#type' => 'pager'];
    $build['#cache'] = [
      'contexts' => ['url.query_args:keywords', 'url.query_args.pagers:0', 'user.permissions'],
      'tags' => ['user_list', 'config:member_directory.settings'],
    ];
    return $build;
  }

  /**
   * Shows one member's card, including contact details when allowed.
   */
  public function card(UserInterface $user): array {
    if (!$this->visibility->isListed($user)) {
      throw new NotFoundHttpException();
    }
    return $this->cardBuilder->build($user, TRUE);
  }

  /**
   * Title callback for the member card page.
   */
  public function cardTitle(UserInterface $user): string {
    return $user->getDisplayName();
  }

}
